using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;

namespace Jarvis.ServiceDefaults.Telemetry;

internal static class TelemetryExtensions
{
    /// <summary>
    /// OpenTelemetry logs, traces and metrics, exported over OTLP exactly when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
    /// We cannot restore OpenTelemetry.Extensions.Hosting, so the providers' lifetime is our own hosted service.
    /// </summary>
    public static void ConfigureOpenTelemetry(this IHostApplicationBuilder builder)
    {
        var exporter = OtlpExporterSettings.FromConfiguration(builder.Configuration);
        var resource = TelemetryResource.Create(builder.Configuration, builder.Environment);

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
            logging.SetResourceBuilder(resource);
            if (exporter is not null)
            {
                logging.AddOtlpExporter((options, processor) =>
                {
                    exporter.Apply(options, "logs");
                    if (exporter.LogBatchDelayMilliseconds is { } delay)
                    {
                        processor.BatchExportProcessorOptions.ScheduledDelayMilliseconds = delay;
                    }
                });
            }
        });

        builder.Services.AddHostedService(services => new TelemetryHostedService(exporter, resource, services));
        builder.Services.AddSingleton<IStartupFilter, ServerSpanStartupFilter>();
    }
}
