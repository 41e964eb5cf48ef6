namespace Jarvis.Voice.Engines.Wyoming;

/// <summary>Registers the Wyoming engines the app host's <c>stt</c> and <c>tts</c> containers provide.</summary>
public static class WyomingEngineExtensions
{
    /// <summary>
    /// Registers <see cref="WyomingSpeechToTextEngine"/> when <c>ConnectionStrings:stt</c> is set and
    /// <see cref="WyomingTextToSpeechEngine"/> when <c>ConnectionStrings:tts</c> is set (<c>Endpoint=tcp://host:port</c>).
    /// Call it before registering the local engines so the Wyoming ones come first.
    /// </summary>
    public static IHostApplicationBuilder AddWyomingEngines(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (Client(builder.Configuration, "stt") is { } stt)
        {
            builder.Services.AddSingleton<ISpeechToTextEngine>(new WyomingSpeechToTextEngine(stt));
        }

        if (Client(builder.Configuration, "tts") is { } tts)
        {
            builder.Services.AddSingleton<ITextToSpeechEngine>(new WyomingTextToSpeechEngine(tts));
        }

        return builder;
    }

    private static WyomingClient? Client(IConfiguration configuration, string name) =>
        configuration.GetConnectionString(name) is { Length: > 0 } connectionString
            ? new WyomingClient(WyomingEndpoint.Parse($"ConnectionStrings:{name}", connectionString))
            : null;
}
