using Jarvis.Hosting.ApplicationModel;
using Jarvis.Hosting.Dashboard.Otlp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Jarvis.Hosting.Orchestration;

/// <summary>
/// Run mode: resolves parameters, allocates endpoints, starts every resource once its <c>WaitFor</c> dependencies are
/// ready, and stops them in reverse dependency order when the app host stops.
/// </summary>
public sealed partial class Orchestrator(
    DistributedApplicationModel model,
    IConfiguration configuration,
    IOptions<OrchestratorOptions> options,
    ResourceNotificationService notifications,
    ResourceLoggerService logs,
    ParameterResolver parameters,
    ProcessLauncher launcher,
    ContainerRuntime containers,
    ResourceHealthMonitor health,
    IHttpClientFactory httpClientFactory,
    OtlpHttpServer otlp,
    TimeProvider timeProvider,
    ILogger<Orchestrator> logger) : IHostedService, IDisposable
{
    private readonly Dictionary<Resource, ResourceRun> _runs = [];
    private readonly HashSet<Resource> _unavailable = [];
    private readonly HashSet<Resource> _existing = [];
    private readonly CancellationTokenSource _stopping = new();
    private Dictionary<Resource, HashSet<Resource>> _dependencies = [];

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var resource in model.Resources)
        {
            notifications.Register(new ResourceSnapshot { Name = resource.Name, ResourceType = resource.ResourceType });
            _runs[resource] = new ResourceRun(resource);
        }

        parameters.Resolve(model.Resources.OfType<ParameterResource>());
        foreach (var parameter in model.Resources.OfType<ParameterResource>())
        {
            notifications.PublishUpdate(parameter.Name, s => s with { State = KnownResourceStates.Running, HealthStatus = HealthStatus.Healthy });
        }

        EndpointAllocator.Allocate(model.Resources, options.Value.RandomizePorts);
        _dependencies = DependencyGraph.Build(model.Resources);
        foreach (var resource in model.Resources)
        {
            notifications.PublishUpdate(resource.Name, s => ResourceDescription.Describe(s, resource));
        }

        await PrepareContainersAsync(cancellationToken);

        foreach (var run in _runs.Values.Where(r => r.Resource is not ParameterResource && !_unavailable.Contains(r.Resource) && !_existing.Contains(r.Resource)))
        {
            _ = StartAsync(run, waitForDependencies: true);
        }
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_runs.Count == 0)
        {
            // Never started (the host failed before this service's start, or is disposed without a start).
            return;
        }

        // Dependents stop before what they depend on: a resource's stop waits for the stops of those that use it.
        var stops = new Dictionary<Resource, Task>();
        Task StopInOrder(Resource resource, HashSet<Resource> visiting)
        {
            if (stops.TryGetValue(resource, out var stop))
            {
                return stop;
            }

            visiting.Add(resource);
            var dependents = _dependencies.Where(d => d.Value.Contains(resource) && !visiting.Contains(d.Key)).Select(d => StopInOrder(d.Key, [.. visiting])).ToList();
            return stops[resource] = StopAfterAsync(dependents, _runs[resource]);
        }

        foreach (var resource in model.Resources)
        {
            _ = StopInOrder(resource, []);
        }

        await Task.WhenAll(stops.Values).WaitAsync(cancellationToken);

        async Task StopAfterAsync(List<Task> dependents, ResourceRun run)
        {
            try
            {
                await Task.WhenAll(dependents);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A dependent that failed to stop cleanly must not keep what it depends on running.
                LogStopFailed(logger, run.Resource.Name, e.Message);
            }

            await StopAsync(run);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stopping.Dispose();

    internal ResourceRun GetRun(string name) => _runs[model.Find(name)];

    /// <summary>The value a resource's current run was given for an environment variable, secrets unmasked; null when it has none.</summary>
    internal string? GetEnvironmentValue(string resourceName, string variable) =>
        model.Resources.FirstOrDefault(r => string.Equals(r.Name, resourceName, StringComparison.OrdinalIgnoreCase)) is { } resource
            && _runs.TryGetValue(resource, out var run)
            ? run.Environment.GetValueOrDefault(variable)
            : null;

    /// <summary>Why the app host cannot start or stop the resource (an existing server, no container engine), or null.</summary>
    internal string? CannotRunReason(ResourceRun run) =>
        _existing.Contains(run.Resource) ? $"'{run.Resource.Name}' is an existing server ({notifications.GetSnapshot(run.Resource.Name)?.StateReason}); the app host does not run it."
        : _unavailable.Contains(run.Resource) ? $"'{run.Resource.Name}' cannot run here: {notifications.GetSnapshot(run.Resource.Name)?.StateReason}"
        : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Resource}: a resource that depends on it did not stop cleanly ({Reason}); stopping it anyway.")]
    private static partial void LogStopFailed(ILogger logger, string resource, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Resource} failed to start: {Reason}")]
    private static partial void LogFailedToStart(ILogger logger, string resource, string reason);
}
