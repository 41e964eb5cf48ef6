using Jarvis.Tests.Infrastructure.Otlp;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Jarvis.Tests.Dashboard.Telemetry;

/// <summary>The OpenTelemetry .NET SDK's own OTLP exporter, over HTTP/protobuf, pointed at a test's receiver.</summary>
internal static class OtlpExporters
{
    public static TracerProvider Traces(OtlpReceiver receiver, string service, string source) =>
        Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service))
            .AddSource(source)
            .AddOtlpExporter(o => Configure(o, receiver, "traces"))
            .Build();

    public static ILoggerFactory Logs(OtlpReceiver receiver, string service) =>
        LoggerFactory.Create(builder => builder
            .SetMinimumLevel(LogLevel.Trace)
            .AddOpenTelemetry(o =>
            {
                o.SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service));
                o.IncludeFormattedMessage = true;
                o.AddOtlpExporter(e => Configure(e, receiver, "logs"));
            }));

    public static MeterProvider Metrics(OtlpReceiver receiver, string service, string meter, Action<MeterProviderBuilder>? views = null)
    {
        var builder = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service))
            .AddMeter(meter);
        views?.Invoke(builder);

        // A long interval: the test decides when points are exported, with ForceFlush.
        return builder.AddOtlpExporter((e, reader) =>
        {
            Configure(e, receiver, "metrics");
            reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 3_600_000;
        }).Build();
    }

    private static void Configure(OtlpExporterOptions options, OtlpReceiver receiver, string signal)
    {
        options.Endpoint = new Uri(receiver.HttpEndpoint, $"/v1/{signal}");
        options.Protocol = OtlpExportProtocol.HttpProtobuf;
        options.Headers = $"x-otlp-api-key={receiver.ApiKey}";
    }
}
