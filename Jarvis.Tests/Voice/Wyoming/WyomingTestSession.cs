using System.Text.Json.Nodes;

namespace Jarvis.Tests.Voice.Wyoming;

/// <summary>One connection's part of the Wyoming event flows: describe, speech-to-text and (streamed) text-to-speech.</summary>
public sealed class WyomingTestSession(WyomingTestServer server, Func<string, JsonObject?, byte[]?, Task> send)
{
    private bool _synthesizeStreaming;
    private bool _transcriptStarted;

    public async Task HandleAsync(ReceivedEvent received)
    {
        switch (received.Type)
        {
            case "describe":
                await send("info", server.Info, null);
                break;
            case "audio-chunk" when server.TranscriptChunks is { } chunks && !_transcriptStarted:
                // Streaming servers send transcript chunks while the audio is still coming, as the spec's flow shows.
                _transcriptStarted = true;
                await send("transcript-start", new JsonObject { ["language"] = "en" }, null);
                foreach (var chunk in chunks)
                {
                    await send("transcript-chunk", new JsonObject { ["text"] = chunk }, null);
                }

                break;
            case "audio-stop":
                await send("transcript", new JsonObject { ["text"] = server.Transcript, ["language"] = "en" }, null);
                if (_transcriptStarted)
                {
                    await send("transcript-stop", null, null);
                }

                break;
            case "synthesize-start":
                _synthesizeStreaming = true;
                break;
            case "synthesize-chunk":
                await SendAudioAsync();
                break;
            case "synthesize" when !_synthesizeStreaming:
                await SendAudioAsync();
                break;
            case "synthesize-stop":
                // The final audio, then synthesize-stopped.
                await SendAudioAsync();
                await send("synthesize-stopped", null, null);
                break;
        }
    }

    private async Task SendAudioAsync()
    {
        var (rate, width, channels) = server.AudioFormat;
        var format = new JsonObject { ["rate"] = rate, ["width"] = width, ["channels"] = channels };
        await send("audio-start", format, null);
        foreach (var chunk in server.AudioChunks)
        {
            await send("audio-chunk", format.DeepClone().AsObject(), chunk);
        }

        await send("audio-stop", null, null);
    }
}
