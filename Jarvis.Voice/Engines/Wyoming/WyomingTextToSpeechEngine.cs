using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Jarvis.Voice.Engines.Wyoming;

/// <summary>
/// Text-to-speech through a Wyoming server (wyoming-piper), one connection per synthesis. When the server advertises
/// <c>supports_synthesize_streaming</c>, the text goes as <c>synthesize-start</c>/<c>-chunk</c>/<c>-stop</c>, a
/// sentence per chunk, so audio starts after the first sentence.
/// </summary>
public sealed partial class WyomingTextToSpeechEngine(WyomingClient client) : ITextToSpeechEngine
{
    private static readonly TimeSpan s_probeTimeout = TimeSpan.FromSeconds(3);

    /// <inheritdoc />
    public string Name => "wyoming";

    /// <inheritdoc />
    public async Task<string?> CheckAvailableAsync(CancellationToken cancellationToken)
    {
        var (info, problem) = await client.ProbeAsync(s_probeTimeout, cancellationToken);
        return problem ?? (info!.Tts.Count == 0 ? $"The Wyoming server at {client.Address} offers no text-to-speech (tts) program." : null);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<VoiceDescription>> GetVoicesAsync(CancellationToken cancellationToken)
    {
        var (info, _) = await client.ProbeAsync(s_probeTimeout, cancellationToken);
        return info is null
            ? []
            : [.. info.Tts.SelectMany(p => p.Models).Where(m => m.Installed).Select(m => new VoiceDescription(m.Name, m.Languages))];
    }

    /// <inheritdoc />
    public async Task<SpeechAudio> SynthesizeAsync(SynthesisRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var connection = await client.ConnectAsync(cancellationToken);
        try
        {
            var info = client.LastInfo ?? await client.DescribeAsync(connection, cancellationToken);
            var streaming = info.SupportsSynthesizeStreaming;
            await SendAsync(connection, request, streaming, cancellationToken);

            var start = await connection.ReadAsync(cancellationToken);
            if (start?.Type != "audio-start")
            {
                throw new WyomingProtocolException($"The Wyoming server at {client.Address} answered synthesize with {start?.Type ?? "nothing"} instead of audio-start.");
            }

            var format = new AudioFormat(start.GetInt32("rate") ?? 22_050, start.GetInt32("width") ?? 2, start.GetInt32("channels") ?? 1);
            return new SpeechAudio(format, ReadChunksAsync(connection, streaming, cancellationToken));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task SendAsync(WyomingConnection connection, SynthesisRequest request, bool streaming, CancellationToken cancellationToken)
    {
        var voice = new JsonObject { ["language"] = request.Language };
        if (request.Voice is not null)
        {
            voice["name"] = request.Voice;
        }

        var synthesize = new WyomingEvent("synthesize", new JsonObject { ["text"] = request.Text, ["voice"] = voice.DeepClone() });
        if (!streaming)
        {
            await connection.WriteAsync(synthesize, cancellationToken);
            return;
        }

        await connection.WriteAsync(new WyomingEvent("synthesize-start", new JsonObject { ["voice"] = voice }), cancellationToken);
        foreach (var sentence in Sentence().Split(request.Text).Where(s => s.Length > 0))
        {
            await connection.WriteAsync(new WyomingEvent("synthesize-chunk", new JsonObject { ["text"] = sentence }), cancellationToken);
        }

        // synthesize is sent for servers that ignore the streaming events.
        await connection.WriteAsync(synthesize, cancellationToken);
        await connection.WriteAsync(new WyomingEvent("synthesize-stop"), cancellationToken);
    }

    // Plain: audio-chunks until audio-stop. Streamed: an audio-start…audio-stop run per sentence, until synthesize-stopped.
    private async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadChunksAsync(WyomingConnection connection, bool streaming, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using (connection)
        {
            while (await connection.ReadAsync(cancellationToken) is { } received)
            {
                if (received.Type == "audio-chunk" && !received.Payload.IsEmpty)
                {
                    yield return received.Payload;
                }
                else if ((received.Type == "audio-stop" && !streaming) || received.Type == "synthesize-stopped")
                {
                    yield break;
                }
            }

            throw new WyomingProtocolException($"The Wyoming server at {client.Address} closed the connection before the end of the audio.");
        }
    }

    // Splits after sentence-ending punctuation followed by white space, keeping the punctuation.
    [GeneratedRegex(@"(?<=[.!?])\s+")]
    private static partial Regex Sentence();
}
