using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Jarvis.ServiceDefaults.Telemetry;

/// <summary>
/// Flushes and shuts the OpenTelemetry providers down once the host has stopped, within one short budget. Left to the
/// container's disposal, each exporter waits out its own timeout and retries when the endpoint is gone (the app host
/// and its dashboard stopping at the same time), which holds the process's exit for many seconds.
/// </summary>
internal sealed class TelemetryFlushOnStop(IServiceProvider services) : IHostedLifecycleService
{
    // A flush to a reachable endpoint takes milliseconds; one that is gone must not hold the exit for long.
    private const int FlushTimeoutMilliseconds = 1_000;

    private Providers? _providers;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        // Resolved now: at stop, the service provider may already be disposed (a host stopped while being disposed).
        _providers = new(services.GetService<TracerProvider>(), services.GetService<MeterProvider>(), services.GetService<LoggerProvider>());
        return Task.CompletedTask;
    }

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        // A host may be stopped twice at once (a signal, then StopAsync or dispose): the providers are shut down once.
        if (Interlocked.Exchange(ref _providers, null) is not { } providers)
        {
            return;
        }

        var (tracer, meter, logger) = providers;

        await Task.WhenAll(
            Task.Run(() => tracer?.Shutdown(FlushTimeoutMilliseconds), CancellationToken.None),
            Task.Run(() => meter?.Shutdown(FlushTimeoutMilliseconds), CancellationToken.None),
            Task.Run(() => logger?.Shutdown(FlushTimeoutMilliseconds), CancellationToken.None));
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private sealed record Providers(TracerProvider? Tracer, MeterProvider? Meter, LoggerProvider? Logger);
}
