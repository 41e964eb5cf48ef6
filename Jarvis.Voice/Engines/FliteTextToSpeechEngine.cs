using System.Globalization;
using Microsoft.Extensions.Options;

namespace Jarvis.Voice.Engines;

/// <summary>English speech from flite's <c>slt</c> voice (16 kHz), text on stdin, WAV to a temp file.</summary>
public sealed class FliteTextToSpeechEngine(IOptions<VoiceOptions> options) : ITextToSpeechEngine
{
    private static readonly VoiceDescription[] s_voices = [new("slt", ["en"])];

    /// <inheritdoc/>
    public string Name => "flite";

    /// <inheritdoc/>
    public Task<string?> CheckAvailableAsync(CancellationToken cancellationToken) =>
        Task.FromResult(EngineProcess.CheckExecutable(Name, options.Value.Flite.Executable, "flite"));

    /// <inheritdoc/>
    public async Task<IReadOnlyList<VoiceDescription>> GetVoicesAsync(CancellationToken cancellationToken) =>
        await CheckAvailableAsync(cancellationToken) is null ? s_voices : [];

    /// <inheritdoc/>
    public Task<SpeechAudio> SynthesizeAsync(SynthesisRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return FileSpeech.RunAsync(options.Value.Flite.Executable, file =>
        {
            List<string> arguments = ["-voice", request.Voice ?? "slt", "-f", "/dev/stdin", "-o", file];
            if (request.Rate is { } rate)
            {
                // flite stretches durations: a faster rate is a smaller stretch.
                arguments.AddRange(["--setf", "duration_stretch=" + (1 / rate).ToString("0.###", CultureInfo.InvariantCulture)]);
            }

            return arguments;
        }, request.Text, cancellationToken);
    }
}
