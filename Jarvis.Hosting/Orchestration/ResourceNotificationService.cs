using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Jarvis.Hosting.Orchestration;

/// <summary>Resource states and health: read the latest snapshot, watch changes, or wait for a state.</summary>
public sealed class ResourceNotificationService
{
    private readonly ConcurrentDictionary<string, ResourceSnapshot> _snapshots = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _watchersLock = new();
    private readonly List<Channel<ResourceEvent>> _watchers = [];
    private long _version;

    /// <summary>Grows with every change of any snapshot, so a poller can tell that nothing changed.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>The latest snapshot of every resource.</summary>
    public IReadOnlyList<ResourceSnapshot> GetSnapshots() => [.. _snapshots.Values.OrderBy(s => s.Name, StringComparer.Ordinal)];

    /// <summary>The latest snapshot of one resource, or null when there is no such resource.</summary>
    public ResourceSnapshot? GetSnapshot(string resourceName) => _snapshots.GetValueOrDefault(resourceName);

    /// <summary>Every change from now on, starting with the current snapshot of each resource.</summary>
    public async IAsyncEnumerable<ResourceEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<ResourceEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_watchersLock)
        {
            foreach (var snapshot in _snapshots.Values)
            {
                channel.Writer.TryWrite(new ResourceEvent(snapshot.Name, snapshot));
            }

            _watchers.Add(channel);
        }

        try
        {
            await foreach (var resourceEvent in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return resourceEvent;
            }
        }
        finally
        {
            lock (_watchersLock)
            {
                _watchers.Remove(channel);
            }
        }
    }

    /// <summary>Waits until the resource's snapshot satisfies <paramref name="predicate"/>.</summary>
    public async Task<ResourceEvent> WaitForResourceAsync(string resourceName, Func<ResourceEvent, bool> predicate, CancellationToken cancellationToken = default)
    {
        if (!_snapshots.ContainsKey(resourceName))
        {
            throw new ArgumentException($"No resource named '{resourceName}'.", nameof(resourceName));
        }

        await foreach (var resourceEvent in WatchAsync(cancellationToken))
        {
            if (string.Equals(resourceEvent.ResourceName, resourceName, StringComparison.OrdinalIgnoreCase) && predicate(resourceEvent))
            {
                return resourceEvent;
            }
        }

        throw new OperationCanceledException(cancellationToken);
    }

    /// <summary>Waits until the resource reaches <paramref name="state"/>.</summary>
    public Task<ResourceEvent> WaitForResourceAsync(string resourceName, string state, CancellationToken cancellationToken = default) =>
        WaitForResourceAsync(resourceName, e => e.Snapshot.State == state, cancellationToken);

    /// <summary>
    /// Waits until the resource is Running and Healthy. Throws <see cref="DistributedApplicationException"/> with the
    /// reason when the resource fails to start, exits, or cannot run, since it then never becomes healthy.
    /// </summary>
    public async Task<ResourceEvent> WaitForResourceHealthyAsync(string resourceName, CancellationToken cancellationToken = default)
    {
        var resourceEvent = await WaitForResourceAsync(resourceName, e => IsHealthy(e.Snapshot) || IsDead(e.Snapshot), cancellationToken);
        if (IsDead(resourceEvent.Snapshot))
        {
            var snapshot = resourceEvent.Snapshot;
            throw new DistributedApplicationException($"Resource '{resourceName}' is {snapshot.State} and will not become healthy{(snapshot.StateReason is null ? "." : $": {snapshot.StateReason}")}");
        }

        return resourceEvent;
    }

    /// <summary>Changes a resource's snapshot and tells every watcher.</summary>
    public void PublishUpdate(string resourceName, Func<ResourceSnapshot, ResourceSnapshot> update)
    {
        lock (_watchersLock)
        {
            var snapshot = _snapshots.AddOrUpdate(
                resourceName,
                _ => throw new ArgumentException($"No resource named '{resourceName}'.", nameof(resourceName)),
                (_, current) => update(current));
            Interlocked.Increment(ref _version);
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(new ResourceEvent(resourceName, snapshot));
            }
        }
    }

    internal void Register(ResourceSnapshot snapshot)
    {
        lock (_watchersLock)
        {
            _snapshots[snapshot.Name] = snapshot;
            Interlocked.Increment(ref _version);
        }
    }

    internal static bool IsHealthy(ResourceSnapshot snapshot) =>
        snapshot.State == KnownResourceStates.Running && snapshot.HealthStatus == HealthStatus.Healthy;

    private static bool IsDead(ResourceSnapshot snapshot) =>
        KnownResourceStates.IsStopped(snapshot.State) || snapshot.State == KnownResourceStates.RuntimeUnhealthy;
}
