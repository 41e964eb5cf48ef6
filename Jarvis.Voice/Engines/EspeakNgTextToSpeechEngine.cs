using System.Globalization;
using Microsoft.Extensions.Options;

namespace Jarvis.Voice.Engines;

/// <summary>Speech in French and other languages from espeak-ng (22.05 kHz), text on stdin and WAV on stdout.</summary>
public sealed class EspeakNgTextToSpeechEngine(IOptions<VoiceOptions> options) : ITextToSpeechEngine
{
    private const int WordsPerMinute = 175;

    // One voice per language, named after it, as espeak-ng names its voices.
    private static readonly VoiceDescription[] s_voices =
        [.. new[] { "fr", "en", "de", "es", "it", "pt", "nl" }.Select(language => new VoiceDescription(language, [language]))];

    /// <inheritdoc/>
    public string Name => "espeak-ng";

    /// <inheritdoc/>
    public Task<string?> CheckAvailableAsync(CancellationToken cancellationToken) =>
        Task.FromResult(EngineProcess.CheckExecutable(Name, options.Value.EspeakNg.Executable, "espeak-ng"));

    /// <inheritdoc/>
    public async Task<IReadOnlyList<VoiceDescription>> GetVoicesAsync(CancellationToken cancellationToken) =>
        await CheckAvailableAsync(cancellationToken) is null ? s_voices : [];

    /// <inheritdoc/>
    public Task<SpeechAudio> SynthesizeAsync(SynthesisRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var speed = (int)Math.Clamp(WordsPerMinute * (request.Rate ?? 1), 80, 450);
        List<string> arguments = ["-v", request.Voice ?? request.Language, "-s", speed.ToString(CultureInfo.InvariantCulture), "--stdin", "--stdout"];
        return ProcessSpeech.StartAsync(options.Value.EspeakNg.Executable, arguments, request.Text, cancellationToken);
    }
}
