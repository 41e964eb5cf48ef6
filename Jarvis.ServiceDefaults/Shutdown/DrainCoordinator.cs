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
    private CancellationTokenRegistration _stoppingRegistration;
    private int _drained;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        // A signal fires ApplicationStopping before the host calls StoppingAsync; readiness must turn at the first of the two.
        _stoppingRegistration = lifetime.ApplicationStopping.Register(state.BeginDraining);
        return Task.CompletedTask;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        state.BeginDraining();

        // A host can be stopped more than once (StopAsync, then dispose); drain work runs the first time only.
        var work = participants.ToArray();
        if (work.Length == 0 || Interlocked.Exchange(ref _drained, 1) == 1)
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
