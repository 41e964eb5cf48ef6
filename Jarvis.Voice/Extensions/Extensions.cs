using Jarvis.Voice.Engines;
using Jarvis.Voice.Engines.Wyoming;
using Jarvis.Voice.Health;
using Jarvis.Voice.Services;

namespace Jarvis.Voice.Extensions;

/// <summary>The voice service's registrations.</summary>
public static class Extensions
{
    /// <summary>
    /// The engines, in the order they are preferred: the Wyoming servers when <c>ConnectionStrings:stt</c> /
    /// <c>ConnectionStrings:tts</c> name them (production quality), then the local ones, flite before espeak-ng so English
    /// gets the voice pocketsphinx understands best. An engine that cannot run is passed over for the next. Options are
    /// validated at start; the <c>voice</c> health check names missing engines.
    /// </summary>
    public static IHostApplicationBuilder AddVoiceEngines(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<VoiceOptions>().BindConfiguration("Voice").ValidateDataAnnotations().ValidateOnStart();
        builder.AddWyomingEngines();
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
