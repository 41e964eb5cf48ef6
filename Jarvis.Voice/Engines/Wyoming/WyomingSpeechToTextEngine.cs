using System.Text;
using System.Text.Json.Nodes;
using Jarvis.Voice.Audio;

namespace Jarvis.Voice.Engines.Wyoming;

/// <summary>Speech-to-text through a Wyoming server (wyoming-faster-whisper), one connection per transcription.</summary>
public sealed class WyomingSpeechToTextEngine(WyomingClient client) : ISpeechToTextEngine
{
    // 100 ms of 16 kHz 16-bit mono per audio-chunk.
    private const int ChunkBytes = 3_200;

    private static readonly TimeSpan s_probeTimeout = TimeSpan.FromSeconds(3);

    /// <inheritdoc />
    public string Name => "wyoming";

    /// <inheritdoc />
    /// <remarks>Known once <see cref="CheckAvailableAsync"/> has reached the server; empty before.</remarks>
    public IReadOnlyList<string> Languages => client.LastInfo?.AsrLanguages ?? [];

    /// <inheritdoc />
    public async Task<string?> CheckAvailableAsync(CancellationToken cancellationToken)
    {
        var (info, problem) = await client.ProbeAsync(s_probeTimeout, cancellationToken);
        return problem ?? (info!.Asr.Count == 0 ? $"The Wyoming server at {client.Address} offers no speech-to-text (asr) program." : null);
    }

    /// <inheritdoc />
    public async Task<Transcript> TranscribeAsync(PcmAudio audio, string? language, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audio);
        var format = AudioFormat.Speech16K;
        var samples = PcmConverter.Convert(audio, format).Samples;

        await using var connection = await client.ConnectAsync(cancellationToken);
        var transcribe = new JsonObject();
        if (language is not null)
        {
            transcribe["language"] = language;
        }

        await connection.WriteAsync(new WyomingEvent("transcribe", transcribe), cancellationToken);
        await connection.WriteAsync(new WyomingEvent("audio-start", FormatData(format)), cancellationToken);
        for (var offset = 0; offset < samples.Length; offset += ChunkBytes)
        {
            var chunk = samples.Slice(offset, Math.Min(ChunkBytes, samples.Length - offset));
            await connection.WriteAsync(new WyomingEvent("audio-chunk", FormatData(format), chunk), cancellationToken);
        }

        await connection.WriteAsync(new WyomingEvent("audio-stop"), cancellationToken);
        return await ReadTranscriptAsync(connection, language, cancellationToken);
    }

    // Plain servers answer with transcript; streaming ones with transcript-start, chunks, transcript, transcript-stop.
    private async Task<Transcript> ReadTranscriptAsync(WyomingConnection connection, string? language, CancellationToken cancellationToken)
    {
        StringBuilder? chunks = null;
        string? text = null;
        while (await connection.ReadAsync(cancellationToken) is { } received)
        {
            language = received.GetString("language") ?? language;
            switch (received.Type)
            {
                case "transcript-start":
                    chunks = new StringBuilder();
                    break;
                case "transcript-chunk":
                    (chunks ??= new StringBuilder()).Append(received.GetString("text"));
                    break;
                case "transcript":
                    text = received.GetString("text") ?? "";
                    if (chunks is null)
                    {
                        return Result(text, language);
                    }

                    break;
                case "transcript-stop":
                    // The chunks are the streamed transcript; the transcript event is only there for older clients.
                    return Result(chunks is { Length: > 0 } ? chunks.ToString() : text ?? "", language);
            }
        }

        throw new WyomingProtocolException($"The Wyoming server at {client.Address} closed the connection before sending a transcript.");
    }

    private Transcript Result(string text, string? language) =>
        new(text.Trim(), language ?? (Languages.Count > 0 ? Languages[0] : ""));

    private static JsonObject FormatData(AudioFormat format) => new()
    {
        ["rate"] = format.SampleRate,
        ["width"] = format.SampleWidth,
        ["channels"] = format.Channels,
    };
}
