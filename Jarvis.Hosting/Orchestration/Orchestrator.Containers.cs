using Jarvis.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Jarvis.Hosting.Orchestration;

public sealed partial class Orchestrator
{
    /// <summary>
    /// Decides, once, how each container resource runs: an existing instance when one is configured (or, without an
    /// engine, answering locally), a container when an engine answers, or not at all, which is said plainly once.
    /// </summary>
    private async Task PrepareContainersAsync(CancellationToken cancellationToken)
    {
        var containerResources = model.Resources.OfType<ContainerResource>().ToList();
        if (containerResources.Count == 0)
        {
            return;
        }

        var problem = await containers.DetectAsync();
        var unavailable = new List<ContainerResource>();
        foreach (var container in containerResources)
        {
            if (await container.UseExistingInstanceAsync(configuration, containerEngineAvailable: problem is null, cancellationToken) is { } existing)
            {
                _existing.Add(container);
                notifications.PublishUpdate(container.Name, s => s with
                {
                    State = KnownResourceStates.Running,
                    StateReason = $"using {existing}",
                    HealthStatus = HealthStatus.Healthy,
                });
                LogUsingExisting(logger, container.Name, existing);
            }
            else if (problem is not null)
            {
                unavailable.Add(container);
            }
        }

        foreach (var container in unavailable)
        {
            _unavailable.Add(container);
            notifications.PublishUpdate(container.Name, s => s with
            {
                State = KnownResourceStates.RuntimeUnhealthy,
                StateReason = $"no container engine: {problem}",
            });
        }

        foreach (var modelResource in model.Resources.OfType<Ollama.OllamaModelResource>().Where(m => _unavailable.Contains(m.Parent)))
        {
            _unavailable.Add(modelResource);
            notifications.PublishUpdate(modelResource.Name, s => s with
            {
                State = KnownResourceStates.RuntimeUnhealthy,
                StateReason = $"needs '{modelResource.Parent.Name}', which cannot run here",
            });
        }

        if (unavailable.Count > 0)
        {
            var impact = string.Join(" ", unavailable.Select(c => c.UnavailableImpact ?? $"Resources that use {c.Name} start without it.").Distinct());
            LogNoContainerEngine(logger, string.Join(", ", unavailable.Select(c => c.Name)), problem ?? "", impact);
        }
    }

    private async Task StartContainerAsync(ResourceRun run, ContainerResource container, CancellationToken cancellationToken)
    {
        var (environment, snapshot) = await BuildEnvironmentAsync(container, cancellationToken);
        var secretNames = snapshot.Where(v => v.IsSecret).Select(v => v.Name).ToHashSet();
        // The watchdog is armed before the container exists, so an app host killed during `docker run` leaks nothing.
        var name = ContainerRuntime.NewName(container);
        run.Helpers.Add(await containers.StartWatchdogAsync(name));
        await containers.RunAsync(container, name, environment, secretNames, [.. container.Args.Select(a => a.ToString()!)], cancellationToken);
        run.ContainerName = name;
        run.Environment = environment;

        var follower = await containers.FollowLogsAsync(name);
        follower.OutputDataReceived += (_, e) => WriteLine(container.Name, e.Data, isError: false);
        follower.ErrorDataReceived += (_, e) => WriteLine(container.Name, e.Data, isError: true);
        follower.BeginOutputReadLine();
        follower.BeginErrorReadLine();
        run.Helpers.Add(follower);

        notifications.PublishUpdate(container.Name, s => s with
        {
            State = KnownResourceStates.Running,
            StartedAt = timeProvider.GetUtcNow(),
            StoppedAt = null,
            Urls = Urls(container),
            Environment = snapshot,
        });
        run.Exited = WatchContainerAsync(run, name, run.Lifetime!);
        _ = health.MonitorAsync(container, run.Lifetime!.Token);
    }

    /// <summary>Polls the container's state until it is gone or no longer running.</summary>
    private async Task WatchContainerAsync(ResourceRun run, string name, CancellationTokenSource lifetime)
    {
        (string Status, int ExitCode)? state;
        do
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), timeProvider, lifetime.Token);
            }
            catch (OperationCanceledException)
            {
                // Stopping: the stop removes the container.
                return;
            }

            state = await containers.InspectAsync(name, CancellationToken.None);
        }
        while (state is { Status: "running" or "created" or "restarting" or ContainerRuntime.UnknownStatus });

        await lifetime.CancelAsync();

        // It ended on its own: remove it now (its logs are captured), then disarm its watchdog and log follower.
        await containers.RemoveAsync(name, TimeSpan.Zero);
        var exitCode = state?.ExitCode ?? -1;
        notifications.PublishUpdate(run.Resource.Name, s => s with
        {
            State = exitCode == 0 ? KnownResourceStates.Finished : KnownResourceStates.Exited,
            StateReason = state is null ? "the container was removed" : exitCode == 0 ? null : $"exited with code {exitCode}",
            ExitCode = exitCode,
            HealthStatus = null,
            StoppedAt = timeProvider.GetUtcNow(),
        });
        foreach (var helper in run.Helpers)
        {
            helper.Kill();
            helper.Dispose();
        }

        run.Helpers.Clear();

        // Cleared last: until the bookkeeping above is done, a stop or restart sees a container and waits for this watcher.
        run.ContainerName = null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Resource}: using {Existing} instead of a container.")]
    private static partial void LogUsingExisting(ILogger logger, string resource, string existing);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No container engine ({Problem}), so {Resources} will not run. {Impact} To run them, install Docker or Podman, or point the app host at existing servers with ConnectionStrings__NAME.")]
    private static partial void LogNoContainerEngine(ILogger logger, string resources, string problem, string impact);
}
