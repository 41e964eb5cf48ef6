using Jarvis.Voice.Engines;
using Jarvis.Voice.Health;
using Jarvis.Voice.Services;

namespace Jarvis.Voice.Extensions;

/// <summary>The voice service's registrations.</summary>
public static class Extensions
{
    /// <summary>
    /// The local engines, in the order they are preferred: flite before espeak-ng so English gets the voice pocketsphinx
    /// understands best. Options are validated at start; the <c>voice</c> health check names missing engines.
    /// </summary>
    public static IHostApplicationBuilder AddVoiceEngines(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<VoiceOptions>().BindConfiguration("Voice").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ITextToSpeechEngine, FliteTextToSpeechEngine>();
        builder.Services.AddSingleton<ITextToSpeechEngine, EspeakNgTextToSpeechEngine>();
        builder.Services.AddSingleton<ISpeechToTextEngine, PocketsphinxSpeechToTextEngine>();
        builder.Services.AddSingleton<EngineSelector>();
        builder.Services.AddSingleton<EngineGate>();
        builder.Services.AddSingleton<VoiceTelemetry>();
        builder.Services.AddHealthChecks().AddCheck<VoiceEnginesHealthCheck>("voice");
        return builder;
    }
}
