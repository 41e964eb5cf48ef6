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

    /// <summary>The buckets of <c>http.server.request.duration</c>: ASP.NET Core's, plus 0.2 s and 2 s.</summary>
    private static readonly double[] s_requestDurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.2, 0.25, 0.5, 0.75, 1, 2, 2.5, 5, 7.5, 10];

    /// <summary>
    /// OpenTelemetry logs, traces and metrics as the Aspire ServiceDefaults template sets them up: ASP.NET Core,
    /// HttpClient and runtime instrumentation, Polly's resilience meter, health probes left out of traces, and the OTLP
    /// exporter exactly when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (its protocol, headers and intervals from the standard variables).
    /// Metrics are also served to Prometheus on <c>/metrics</c> unless <c>Metrics:Prometheus:Enabled</c> is false.
    /// Unlike the template, spans and OpenTelemetry log records are only made when they are exported; the sampler is the
    /// SDK's (<c>OTEL_TRACES_SAMPLER</c>, <c>OTEL_TRACES_SAMPLER_ARG</c>). Ours on top: the resource (percent-decoded
    /// <c>OTEL_RESOURCE_ATTRIBUTES</c>), <c>request_id</c>/<c>user_id</c> on every span of a request, secrets scrubbed
    /// from spans as from logs, and a bounded flush when the host stops.
    /// </summary>
    public static void ConfigureOpenTelemetry(this IHostApplicationBuilder builder)
    {
        var export = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => TelemetryResource.Configure(resource, builder.Configuration, builder.Environment))
            .WithMetrics(metrics =>
            {
                metrics
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter(JarvisSources)
                    .AddMeter(PollyMeter)
                    // Kestrel's memory pool counts every buffer it rents, several per request: measured, a tenth of a
                    // light request's cost (bench/api-chat.sh), for figures few dashboards show.
                    .AddView("aspnetcore.memory_pool.*", MetricStreamConfiguration.Drop)
                    // The SLOs' thresholds (100 ms, 200 ms, 500 ms; the alerts' 1 s and 2 s) are bucket bounds, so the
                    // alert rules count the requests slower than each exactly (deploy/prometheus).
                    .AddView("http.server.request.duration", new ExplicitBucketHistogramConfiguration { Boundaries = s_requestDurationBuckets });
                if (PrometheusEndpoint.IsEnabled(builder))
                {
                    metrics.AddPrometheusExporter();
                }
            });

        // Spans and OpenTelemetry log records go nowhere but OTLP, so without an endpoint they are not made at all: that
        // is a quarter of a light request's cost (bench/api-chat.sh). Logs still reach the console, with trace ids.
        if (export)
        {
            builder.Logging.AddOpenTelemetry(logging =>
            {
                logging.IncludeFormattedMessage = true;
                logging.IncludeScopes = true;
            });
            telemetry
                .WithTracing(tracing => tracing
                    .AddSource(JarvisSources)
                    .AddAspNetCoreInstrumentation(options => options.Filter = context => !HealthEndpoints.IsProbe(context.Request.Path))
                    .AddHttpClientInstrumentation()
                    .AddProcessor(new CorrelationSpanProcessor())
                    // Before the exporter (UseOtlpExporter adds its processor after these), so only scrubbed spans leave.
                    .AddProcessor(new SecretScrubbingSpanProcessor()))
                .UseOtlpExporter();
        }

        builder.Services.AddHostedService<TelemetryFlushOnStop>();
        builder.AddPrometheusOptions();
    }
}
