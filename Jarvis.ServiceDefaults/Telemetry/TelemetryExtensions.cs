using Jarvis.ServiceDefaults.Health;
using Jarvis.ServiceDefaults.Metrics;
using Jarvis.ServiceDefaults.RequestId;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Jarvis.ServiceDefaults.Telemetry;

internal static class TelemetryExtensions
{
    /// <summary>Jarvis's own activity sources and meters (<c>Jarvis.Api.Chat</c>, <c>Jarvis.Memory</c>, …).</summary>
    private const string JarvisSources = "Jarvis.*";

    /// <summary>Polly's meter: <c>resilience.polly.strategy.events</c> and durations of every client's resilience pipeline.</summary>
    private const string PollyMeter = "Polly";

    /// <summary>
    /// OpenTelemetry logs, traces and metrics as the Aspire ServiceDefaults template sets them up: ASP.NET Core,
    /// HttpClient and runtime instrumentation, Polly's resilience meter, health probes left out of traces, and the OTLP
    /// exporter exactly when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (its protocol, headers and intervals from the standard variables).
    /// Metrics are also served to Prometheus on <c>/metrics</c> unless <c>Metrics:Prometheus:Enabled</c> is false.
    /// Ours on top: the resource (percent-decoded <c>OTEL_RESOURCE_ATTRIBUTES</c>), <c>request_id</c>/<c>user_id</c>
    /// on every span of a request, and a bounded flush when the host stops.
    /// </summary>
    public static void ConfigureOpenTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => TelemetryResource.Configure(resource, builder.Configuration, builder.Environment))
            .WithMetrics(metrics =>
            {
                metrics
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter(JarvisSources)
                    .AddMeter(PollyMeter);
                if (PrometheusEndpoint.IsEnabled(builder))
                {
                    metrics.AddPrometheusExporter();
                }
            })
            .WithTracing(tracing => tracing
                .AddSource(JarvisSources)
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !HealthEndpoints.IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddProcessor(new CorrelationSpanProcessor()));

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }

        builder.Services.AddHostedService<TelemetryFlushOnStop>();
        builder.AddPrometheusOptions();
    }
}
