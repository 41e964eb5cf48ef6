namespace Jarvis.Voice.Engines;

/// <summary>A voice an engine can speak with, and the languages (<c>en</c>, <c>fr</c>…) it speaks.</summary>
public sealed record VoiceDescription(string Name, IReadOnlyList<string> Languages);

/// <summary>What to say: the text, its language (<c>en</c>, <c>fr</c>…), an optional voice and speaking rate (1 = normal).</summary>
public sealed record SynthesisRequest(string Text, string Language, string? Voice = null, double? Rate = null);

/// <summary>
/// A text-to-speech engine. Engines are resolved as <c>IEnumerable&lt;ITextToSpeechEngine&gt;</c> in registration order;
/// the first available one that speaks the requested language (and has the requested voice, when one is named) is used.
/// </summary>
public interface ITextToSpeechEngine
{
    /// <summary>The engine's name in responses, spans and metrics (<c>flite</c>, <c>espeak-ng</c>, <c>wyoming</c>).</summary>
    string Name { get; }

    /// <summary>Null when the engine can run now; otherwise why not, naming what to install or configure.</summary>
    Task<string?> CheckAvailableAsync(CancellationToken cancellationToken);

    /// <summary>The voices available now (empty when the engine is unavailable).</summary>
    Task<IReadOnlyList<VoiceDescription>> GetVoicesAsync(CancellationToken cancellationToken);

    /// <summary>Speaks <paramref name="request"/>: the audio streams as the engine produces it.</summary>
    Task<SpeechAudio> SynthesizeAsync(SynthesisRequest request, CancellationToken cancellationToken);
}
