using Jarvis.Voice.Audio;
using Microsoft.Extensions.Options;

namespace Jarvis.Voice.Engines;

/// <summary>
/// English recognition with CMU pocketsphinx (<c>pocketsphinx_continuous</c>, 16 kHz mono). Its model loads in about a
/// second per process: each request starts the next request's process, so from the second request on, loading is off the
/// request's path.
/// </summary>
public sealed class PocketsphinxSpeechToTextEngine(IOptions<VoiceOptions> options) : ISpeechToTextEngine, IDisposable
{
    private static readonly string[] s_languages = ["en"];
    private readonly Lock _gate = new();

    // A recogniser started ahead of the next request (see PocketsphinxRecogniser): one, as most requests come one by one.
    private PocketsphinxRecogniser? _standby;

    /// <inheritdoc/>
    public string Name => "pocketsphinx";

    /// <inheritdoc/>
    public IReadOnlyList<string> Languages => s_languages;

    /// <inheritdoc/>
    public Task<string?> CheckAvailableAsync(CancellationToken cancellationToken)
    {
        var engine = options.Value.Pocketsphinx;
        var missing = EngineProcess.CheckExecutable(Name, engine.Executable, "pocketsphinx");
        if (missing is null && (engine.ModelDirectory is not { } model
            || !File.Exists(Path.Combine(model, "en-us.lm.bin")) || !File.Exists(Path.Combine(model, "cmudict-en-us.dict"))))
        {
            missing = $"{Name}: the en-us model was not found in '{engine.ModelDirectory}'; install the Debian package 'pocketsphinx-en-us' (apt-get install pocketsphinx-en-us).";
        }

        return Task.FromResult(missing);
    }

    /// <inheritdoc/>
    public async Task<Transcript> TranscribeAsync(PcmAudio audio, string? language, CancellationToken cancellationToken)
    {
        var wav = WavWriter.Write(PcmConverter.Convert(audio, AudioFormat.Speech16K));
        using var recogniser = TakeStandby() ?? PocketsphinxRecogniser.Start(options.Value.Pocketsphinx);

        // The next request's recogniser loads its model while this one decodes.
        PrepareStandby();
        var output = await recogniser.RecogniseAsync(wav, cancellationToken);

        // One line per utterance it heard.
        var text = string.Join(' ', output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return new Transcript(text, "en");
    }

    /// <summary>Whether a recogniser is started and loading or waiting, ready for the next request.</summary>
    internal bool HasStandby
    {
        get
        {
            lock (_gate)
            {
                return _standby?.IsAlive == true;
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            _standby?.Dispose();
            _standby = null;
        }
    }

    private PocketsphinxRecogniser? TakeStandby()
    {
        lock (_gate)
        {
            var standby = _standby;
            _standby = null;
            if (standby is { IsAlive: false })
            {
                standby.Dispose();
                return null;
            }

            return standby;
        }
    }

    private void PrepareStandby()
    {
        lock (_gate)
        {
            _standby ??= PocketsphinxRecogniser.Start(options.Value.Pocketsphinx);
        }
    }
}
