using Jarvis.Hosting.ApplicationModel;
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
            await Task.WhenAll(dependents);
            await StopAsync(run);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stopping.Dispose();

    internal ResourceRun GetRun(string name) => _runs[model.Find(name)];

    /// <summary>Starts a resource: waits for its dependencies (unless restarted by hand), then launches it.</summary>
    internal async Task StartAsync(ResourceRun run, bool waitForDependencies)
    {
        var name = run.Resource.Name;
        await run.Gate.WaitAsync();
        try
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            run.StopRequested = false;
            run.Lifetime = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            var lifetime = run.Lifetime.Token;
            if (waitForDependencies && run.Resource.Waits.Count > 0)
            {
                notifications.PublishUpdate(name, s => s with { State = KnownResourceStates.Waiting, StateReason = null });
                if (await WaitForDependenciesAsync(run.Resource, lifetime) is { } failure)
                {
                    notifications.PublishUpdate(name, s => s with { State = KnownResourceStates.FailedToStart, StateReason = failure });
                    LogFailedToStart(logger, name, failure);
                    return;
                }
            }

            notifications.PublishUpdate(name, s => s with { State = KnownResourceStates.Starting, StateReason = null, HealthStatus = null, ExitCode = null });
            switch (run.Resource)
            {
                case ProjectResource project:
                    await StartProcessAsync(run, "dotnet", [project.Metadata.TargetPath], Path.GetDirectoryName(project.Metadata.ProjectPath)!, lifetime);
                    break;
                case ExecutableResource executable:
                    await StartProcessAsync(run, executable.Command, [], executable.WorkingDirectory, lifetime);
                    break;
                case ContainerResource container:
                    await StartContainerAsync(run, container, lifetime);
                    break;
                case Ollama.OllamaModelResource modelResource:
                    StartModel(run, modelResource, lifetime);
                    break;
            }
        }
        catch (OperationCanceledException) when (run.Lifetime?.IsCancellationRequested == true)
        {
            notifications.PublishUpdate(name, s => s.State is KnownResourceStates.Waiting or KnownResourceStates.Starting ? s with { State = KnownResourceStates.NotStarted } : s);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            notifications.PublishUpdate(name, s => s with { State = KnownResourceStates.FailedToStart, StateReason = e.Message });
            LogFailedToStart(logger, name, e.Message);
        }
        finally
        {
            run.Gate.Release();
        }
    }

    /// <summary>Stops a resource (SIGTERM, then kill after the stop timeout) and waits until it has exited.</summary>
    internal async Task StopAsync(ResourceRun run)
    {
        // Cancelled before taking the gate, so a resource still waiting for its dependencies stops waiting at once.
        run.StopRequested = true;
        if (run.Lifetime is { } lifetime)
        {
            await lifetime.CancelAsync();
        }

        await run.Gate.WaitAsync();
        try
        {
            run.StopRequested = true;

            var state = notifications.GetSnapshot(run.Resource.Name)!.State;
            if (run.Process is null && run.ContainerName is null)
            {
                // Nothing to stop (an Ollama model, or never launched): what ran in it ended with the lifetime.
                if (run.Resource is Ollama.OllamaModelResource && state is not (KnownResourceStates.NotStarted or KnownResourceStates.RuntimeUnhealthy) && !KnownResourceStates.IsStopped(state))
                {
                    notifications.PublishUpdate(run.Resource.Name, s => s with { State = KnownResourceStates.Exited, HealthStatus = null, StoppedAt = timeProvider.GetUtcNow() });
                }

                return;
            }

            notifications.PublishUpdate(run.Resource.Name, s => s with { State = KnownResourceStates.Stopping });
            if (run.Process is { } process)
            {
                await StopProcessAsync(process, run);
            }
            else if (run.ContainerName is { } container)
            {
                await containers.RemoveAsync(container, options.Value.StopTimeout);
                run.ContainerName = null;
            }

            await run.Exited;
            foreach (var helper in run.Helpers)
            {
                helper.Kill();
                helper.Dispose();
            }

            run.Helpers.Clear();
            notifications.PublishUpdate(run.Resource.Name, s => s.State == KnownResourceStates.Stopping
                ? s with { State = KnownResourceStates.Exited, StoppedAt = timeProvider.GetUtcNow(), ProcessId = null }
                : s);
        }
        finally
        {
            run.Gate.Release();
        }
    }

    private async Task<string?> WaitForDependenciesAsync(Resource resource, CancellationToken cancellationToken)
    {
        foreach (var wait in resource.Waits)
        {
            var dependency = wait.Dependency.Name;
            if (_unavailable.Contains(wait.Dependency))
            {
                // A container that cannot run is not waited for; references to it are not injected either.
                logs.Write(resource.Name, $"Not waiting for '{dependency}': it cannot run here ({notifications.GetSnapshot(dependency)?.StateReason}).");
                continue;
            }

            var reached = await notifications.WaitForResourceAsync(dependency, e => wait.Type == WaitType.UntilHealthy
                ? ResourceNotificationService.IsHealthy(e.Snapshot) || KnownResourceStates.IsStopped(e.Snapshot.State)
                : KnownResourceStates.IsStopped(e.Snapshot.State), cancellationToken);

            var snapshot = reached.Snapshot;
            var ok = wait.Type == WaitType.UntilHealthy
                ? ResourceNotificationService.IsHealthy(snapshot)
                : snapshot.State == KnownResourceStates.Finished;
            if (!ok)
            {
                var why = snapshot.StateReason ?? (snapshot.ExitCode is { } code ? $"exit code {code}" : snapshot.State);
                return $"Dependency '{dependency}' is {snapshot.State}: {why}";
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Resource} failed to start: {Reason}")]
    private static partial void LogFailedToStart(ILogger logger, string resource, string reason);
}
