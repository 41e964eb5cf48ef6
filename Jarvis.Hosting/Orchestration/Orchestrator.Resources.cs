using Jarvis.Hosting.ApplicationModel;

namespace Jarvis.Hosting.Orchestration;

public sealed partial class Orchestrator
{
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
            run.Lifetime?.Dispose();
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
                    await StartProcessAsync(run, DotnetHost(), [project.Metadata.TargetPath], Path.GetDirectoryName(project.Metadata.ProjectPath)!, lifetime);
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
                // Nothing runs (an Ollama model, or never launched); a model's work ends with its lifetime.
                await ObserveExitAsync(run);
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
            }

            await ObserveExitAsync(run);
            run.ContainerName = null;
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

    /// <summary>Waits for the current run's watcher to finish its bookkeeping; a failed watcher is logged, not rethrown.</summary>
    private async Task ObserveExitAsync(ResourceRun run)
    {
        try
        {
            await run.Exited;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logs.Write(run.Resource.Name, $"Watching the resource failed: {e.Message}", isError: true);
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
}
