using System.Text;
using Jarvis.Voice.Audio;
using Microsoft.Extensions.Options;

namespace Jarvis.Voice.Engines;

/// <summary>English recognition with CMU pocketsphinx (<c>pocketsphinx_continuous</c> on a 16 kHz mono temp file).</summary>
public sealed class PocketsphinxSpeechToTextEngine(IOptions<VoiceOptions> options) : ISpeechToTextEngine
{
    private static readonly string[] s_languages = ["en"];

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
        var engine = options.Value.Pocketsphinx;
        var model = engine.ModelDirectory!;
        var directory = Directory.CreateTempSubdirectory("jarvis-voice-");
        try
        {
            var file = Path.Combine(directory.FullName, "audio.wav");
            await File.WriteAllBytesAsync(file, WavWriter.Write(PcmConverter.Convert(audio, AudioFormat.Speech16K)), cancellationToken);
            string[] arguments =
            [
                "-infile", file, "-samprate", "16000", "-logfn", "/dev/null",
                "-hmm", Path.Combine(model, "en-us"), "-lm", Path.Combine(model, "en-us.lm.bin"), "-dict", Path.Combine(model, "cmudict-en-us.dict"),
            ];
            var stderr = new StringBuilder();
            using var process = EngineProcess.Start(engine.Executable, arguments, stderr);
            process.StandardInput.Close();
            try
            {
                var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
                await process.WaitForExitAsync(cancellationToken);
                if (process.ExitCode != 0)
                {
                    throw new InvalidOperationException($"{Name} failed (exit code {process.ExitCode}): {stderr.ToString().Trim()}");
                }

                // One line per utterance it heard.
                var text = string.Join(' ', output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                return new Transcript(text, "en");
            }
            finally
            {
                EngineProcess.Stop(process);
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
