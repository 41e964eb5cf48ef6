namespace Jarvis.Voice.Engines;

/// <summary>What was said, in which language, and how sure the engine is (0 to 1, when it says).</summary>
public sealed record Transcript(string Text, string Language, double? Confidence = null);

/// <summary>
/// A speech-to-text engine. Engines are resolved as <c>IEnumerable&lt;ISpeechToTextEngine&gt;</c> in registration order;
/// the first available one that understands the requested language is used. An engine converts the audio it is given to
/// what it needs (most want <see cref="AudioFormat.Speech16K"/>).
/// </summary>
public interface ISpeechToTextEngine
{
    /// <summary>The engine's name in responses, spans and metrics (<c>pocketsphinx</c>, <c>wyoming</c>).</summary>
    string Name { get; }

    /// <summary>The languages the engine understands now (<c>en</c>…).</summary>
    IReadOnlyList<string> Languages { get; }

    /// <summary>Null when the engine can run now; otherwise why not, naming what to install or configure.</summary>
    Task<string?> CheckAvailableAsync(CancellationToken cancellationToken);

    /// <summary>Transcribes <paramref name="audio"/>; <paramref name="language"/> is a hint (null: the engine's default).</summary>
    Task<Transcript> TranscribeAsync(PcmAudio audio, string? language, CancellationToken cancellationToken);
}
