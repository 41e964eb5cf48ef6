using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Jarvis.Api.Voice;

/// <summary>Registers <see cref="VoiceClient"/> and the <c>voice</c> health check.</summary>
public static class VoiceClientExtensions
{
    /// <summary>The configuration key of the voice service's URL.</summary>
    public const string VoiceUrlKey = "Jarvis:VoiceUrl";

    /// <summary>The default URL: resolved by service discovery through <c>services__voice__http__0</c>.</summary>
    public const string DefaultVoiceUrl = "http://voice";

    /// <summary>
    /// Registers <see cref="VoiceClient"/> as a typed client whose base address is <c>Jarvis:VoiceUrl</c> (default
    /// <c>http://voice</c>), and the <c>voice</c> health check (Degraded when voice does not answer).
    /// </summary>
    public static IHttpClientBuilder AddVoiceClient(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var url = builder.Configuration[VoiceUrlKey];
        var baseAddress = new Uri(string.IsNullOrWhiteSpace(url) ? DefaultVoiceUrl : url.TrimEnd('/') + "/", UriKind.Absolute);
        builder.Services.AddHealthChecks().AddCheck<VoiceHealthCheck>("voice", failureStatus: HealthStatus.Degraded);
        return builder.Services.AddHttpClient<VoiceClient>(client => client.BaseAddress = baseAddress);
    }
}
