using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Jarvis.ServiceDefaults.Shutdown;

/// <summary>
/// Marks the service as draining as soon as the host begins to stop (SIGTERM, Ctrl+C or StopAsync), then runs every
/// <see cref="IDrainParticipant"/> before the server and the other hosted services stop.
/// </summary>
internal sealed class DrainCoordinator(
    DrainState state,
    IHostApplicationLifetime lifetime,
    IEnumerable<IDrainParticipant> participants,
    ILogger<DrainCoordinator> logger) : IHostedLifecycleService
{
    private readonly Lock _gate = new();
    private CancellationTokenRegistration _stoppingRegistration;
    private Task? _drain;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        // A signal fires ApplicationStopping before the host calls StoppingAsync; readiness must turn at the first of the two.
        _stoppingRegistration = lifetime.ApplicationStopping.Register(state.BeginDraining);
        return Task.CompletedTask;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        state.BeginDraining();

        // A host can be stopped more than once, even concurrently (a signal, then StopAsync or dispose): the drain runs
        // once, and every stop waits for that one drain so that no stop goes on to shut the server under it.
        Task drain;
        bool first;
        lock (_gate)
        {
            first = _drain is null;
            drain = _drain ??= DrainAsync(cancellationToken);
        }

        if (first)
        {
            // The drain handles its own timeout; awaiting it whole keeps its last log record before this stop returns.
            await drain;
            return;
        }

        try
        {
            await drain.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // This stop's own timeout: the first stop reports the drain's outcome.
        }
    }

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        var work = participants.ToArray();
        if (work.Length == 0)
        {
            return;
        }

        ServiceDefaultsLog.DrainStarted(logger, work.Length);
        try
        {
            await Task.WhenAll(work.Select(participant => participant.DrainAsync(cancellationToken)));
            ServiceDefaultsLog.DrainCompleted(logger);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            ServiceDefaultsLog.DrainTimedOut(logger);
        }
    }

    public async Task StoppedAsync(CancellationToken cancellationToken) => await _stoppingRegistration.DisposeAsync();

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
