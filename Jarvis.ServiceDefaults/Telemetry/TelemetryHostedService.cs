using Jarvis.ServiceDefaults.RequestId;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Jarvis.ServiceDefaults.Telemetry;

/// <summary>
/// Starts the tracer and meter providers with the host, before any other service starts, and flushes and shuts them
/// down (and the log provider) after every other service has stopped, so the last requests' telemetry is sent.
/// </summary>
internal sealed class TelemetryHostedService(OtlpExporterSettings? exporter, ResourceBuilder resource, IServiceProvider services)
    : IHostedLifecycleService, IDisposable
{
    // A flush to a reachable endpoint takes milliseconds; one that is gone must not hold the exit for long.
    private const int FlushTimeoutMilliseconds = 1_000;

    private TracerProvider? _tracerProvider;
    private MeterProvider? _meterProvider;
    private LoggerProvider? _loggerProvider;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        var tracing = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(TelemetryNames.ActivitySources)
            .AddProcessor(new CorrelationSpanProcessor());

        var metrics = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(TelemetryNames.Meters);

        if (exporter is not null)
        {
            tracing.AddOtlpExporter(options =>
            {
                exporter.Apply(options, "traces");
                if (exporter.TraceBatchDelayMilliseconds is { } delay)
                {
                    options.BatchExportProcessorOptions.ScheduledDelayMilliseconds = delay;
                }
            });

            metrics.AddOtlpExporter((options, reader) =>
            {
                exporter.Apply(options, "metrics");
                if (exporter.MetricExportIntervalMilliseconds is { } interval)
                {
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval;
                }
            });
        }

        _tracerProvider = tracing.Build();
        _meterProvider = metrics.Build();

        // Resolved now: at stop, the service provider may already be disposed (a host stopped while being disposed).
        _loggerProvider = services.GetService<LoggerProvider>();
        return Task.CompletedTask;
    }

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        // A host may be stopped twice at once (a signal, then StopAsync or dispose): only one stop takes the providers.
        var tracerProvider = Interlocked.Exchange(ref _tracerProvider, null);
        var meterProvider = Interlocked.Exchange(ref _meterProvider, null);
        var loggerProvider = Interlocked.Exchange(ref _loggerProvider, null);

        // Shutting a provider down flushes it. All three at once, within one budget: when the endpoint is gone (the app
        // host was killed), each exporter retries until its own timeout, and the process must not wait for that.
        await Task.WhenAll(
            Task.Run(() => tracerProvider?.Shutdown(FlushTimeoutMilliseconds), CancellationToken.None),
            Task.Run(() => meterProvider?.Shutdown(FlushTimeoutMilliseconds), CancellationToken.None),
            Task.Run(() => loggerProvider?.Shutdown(FlushTimeoutMilliseconds), CancellationToken.None));
        tracerProvider?.Dispose();
        meterProvider?.Dispose();
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _tracerProvider, null)?.Dispose();
        Interlocked.Exchange(ref _meterProvider, null)?.Dispose();
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
