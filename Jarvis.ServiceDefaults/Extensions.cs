using Jarvis.ServiceDefaults.Health;
using Jarvis.ServiceDefaults.Http;
using Jarvis.ServiceDefaults.Logging;
using Jarvis.ServiceDefaults.Metrics;
using Jarvis.ServiceDefaults.RequestBody;
using Jarvis.ServiceDefaults.RequestId;
using Jarvis.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The defaults every Jarvis service shares: structured logs with secret scrubbing, OpenTelemetry, health
/// endpoints, request correlation, service discovery and resilience for every <see cref="HttpClient"/>, and
/// graceful shutdown. Modelled on the Aspire ServiceDefaults template, implemented over OpenTelemetry,
/// Microsoft.Extensions.ServiceDiscovery and Microsoft.Extensions.Http.Resilience.
/// </summary>
public static class Extensions
{
    /// <summary>
    /// Adds the Jarvis service defaults to <paramref name="builder"/>. Call it first, before any other registration.
    /// </summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureStructuredLogging();
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.AddRequestCorrelation();
        // A JSON body with an unknown charset is a 415, not a 500 (in services that use the exception handler).
        builder.Services.AddExceptionHandler<UnknownCharsetExceptionHandler>();
        builder.AddGracefulShutdown();

        // Service discovery and the standard resilience pipeline for every client made by IHttpClientFactory.
        builder.AddHttpClientDefaults();

        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> (readiness: every check) and <c>/alive</c> (liveness: checks tagged <c>live</c>), and
    /// <c>/metrics</c> for Prometheus (<c>Metrics:Prometheus</c>: on by default, for loopback and private networks
    /// only, no API key). They are mapped in every environment because cluster probes and scrapers need them.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthEndpoints();
        app.MapPrometheusEndpoint();
        return app;
    }
}
