using Jarvis.Voice.Engines;

namespace Jarvis.Voice.Services;

/// <summary>Picks the first available engine, in registration order, for a language (and voice); else says why none.</summary>
public sealed class EngineSelector(IEnumerable<ITextToSpeechEngine> speakers, IEnumerable<ISpeechToTextEngine> recognisers)
{
    /// <summary>The engine to speak with, or null and the reasons no engine can.</summary>
    public async Task<(ITextToSpeechEngine? Engine, string Reason)> SelectSpeakerAsync(string language, string? voice, CancellationToken cancellationToken)
    {
        List<string> reasons = [];
        foreach (var engine in speakers)
        {
            // An engine lists voices only while it can run, so one check serves both (for Wyoming, a server round trip);
            // only an engine with no voices is asked why.
            var voices = await engine.GetVoicesAsync(cancellationToken);
            if (voices.Any(v => Speaks(v.Languages, language) && (voice is null || v.Name == voice)))
            {
                return (engine, "");
            }

            if (voices.Count == 0 && await engine.CheckAvailableAsync(cancellationToken) is { } missing)
            {
                reasons.Add(missing);
            }
        }

        reasons.Add($"No available text-to-speech engine speaks '{language}'{(voice is null ? "" : $" with voice '{voice}'")}.");
        return (null, string.Join(" ", reasons));
    }

    /// <summary>The engine to transcribe with, or null and the reasons no engine can.</summary>
    public async Task<(ISpeechToTextEngine? Engine, string Reason)> SelectRecogniserAsync(string language, CancellationToken cancellationToken)
    {
        List<string> reasons = [];
        foreach (var engine in recognisers)
        {
            if (await engine.CheckAvailableAsync(cancellationToken) is { } missing)
            {
                reasons.Add(missing);
            }
            else if (Speaks(engine.Languages, language))
            {
                return (engine, "");
            }
        }

        reasons.Add($"No available speech-to-text engine understands '{language}'.");
        return (null, string.Join(" ", reasons));
    }

    // "en" is spoken by an engine that lists "en", or a regional variant such as Piper's "en_US" or "en-GB".
    private static bool Speaks(IEnumerable<string> languages, string language) =>
        languages.Any(l => l.Equals(language, StringComparison.OrdinalIgnoreCase)
            || (l.Length > language.Length && l.StartsWith(language, StringComparison.OrdinalIgnoreCase) && l[language.Length] is '_' or '-'));
}
