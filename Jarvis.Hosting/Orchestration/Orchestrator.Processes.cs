using System.Diagnostics;
using Jarvis.Hosting.ApplicationModel;

namespace Jarvis.Hosting.Orchestration;

public sealed partial class Orchestrator
{
    private static readonly TimeSpan s_uncheckedStartupGrace = TimeSpan.FromMilliseconds(500);

    private static readonly string[] s_appHostSettingPrefixes =
        ["Parameters__", "ConnectionStrings__", "AppHost__", "Dashboard__", "Publishing__", "services__", "OTEL_", "ASPIRE_", "DOTNET_DASHBOARD_", "ASPNETCORE_", "DOTNET_ENVIRONMENT", "Logging__"];

    private async Task StartProcessAsync(ResourceRun run, string command, IReadOnlyList<string> leadingArgs, string workingDirectory, CancellationToken cancellationToken)
    {
        var resource = run.Resource;
        if (resource is ProjectResource project && !File.Exists(project.Metadata.TargetPath))
        {
            throw new DistributedApplicationException($"'{project.Metadata.TargetPath}' does not exist: build the app host (dotnet build) first.");
        }

        if (resource is ProjectResource && ((IResourceWithEndpoints)resource).Endpoints.FirstOrDefault(e => !EndpointAllocator.IsFree(e.Allocated!.Port)) is { } busy)
        {
            throw new DistributedApplicationException($"Port {busy.Allocated!.Port} is already in use (is another app host running?). Stop it, or set AppHost:RandomizePorts=true to use free ports.");
        }

        var (environment, snapshot) = await BuildEnvironmentAsync(resource, cancellationToken);
        var startInfo = new ProcessStartInfo(ResolveCommand(command, workingDirectory))
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in leadingArgs.Concat(((IResourceWithEnvironment)resource).Args.Select(a => a.ToString()!)))
        {
            startInfo.ArgumentList.Add(arg);
        }

        // The app host's own settings (its parameters, connection strings, OTLP target) are not the child's to inherit:
        // a child gets exactly what the composition gives it.
        foreach (var inherited in startInfo.Environment.Keys.Where(IsAppHostSetting).ToList())
        {
            startInfo.Environment.Remove(inherited);
        }

        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        var process = await launcher.StartAsync(startInfo);
        run.Environment = environment;
        run.Process = process;
        process.OutputDataReceived += (_, e) => WriteLine(resource.Name, e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => WriteLine(resource.Name, e.Data, isError: true);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        notifications.PublishUpdate(resource.Name, s => s with
        {
            State = KnownResourceStates.Running,
            ProcessId = process.Id,
            StartedAt = timeProvider.GetUtcNow(),
            StoppedAt = null,
            Urls = Urls(resource),
            Environment = snapshot,
        });

        // Watched only now, so an immediate exit is published after Running, not overwritten by it.
        run.Exited = WatchProcessAsync(run, process, run.Lifetime!);
        _ = MonitorHealthAsync(run, run.Lifetime!.Token);
    }

    /// <summary>
    /// Health of a process. One without health checks counts as healthy once it has stayed up for a moment: otherwise a
    /// process that crashes at start would be healthy for an instant and release what waits for it.
    /// </summary>
    private async Task MonitorHealthAsync(ResourceRun run, CancellationToken lifetime)
    {
        if (run.Resource.HealthChecks.Count == 0)
        {
            var exited = run.Exited;
            await Task.WhenAny(exited, Task.Delay(s_uncheckedStartupGrace, timeProvider, lifetime));
            if (exited.IsCompleted || lifetime.IsCancellationRequested)
            {
                return;
            }
        }

        await health.MonitorAsync(run.Resource, lifetime);
    }

    private async Task WatchProcessAsync(ResourceRun run, Process process, CancellationTokenSource lifetime)
    {
        await process.WaitForExitAsync();
        var exitCode = process.ExitCode;

        // This run's lifetime, not whatever run.Lifetime is by now: it ends this run's health checks.
        await lifetime.CancelAsync();
        if (run.StopRequested)
        {
            notifications.PublishUpdate(run.Resource.Name, s => s with { ExitCode = exitCode, HealthStatus = null });
        }
        else
        {
            // It ended on its own: a finished job (exit code 0) or a crash, which the waiting dependents need to know.
            notifications.PublishUpdate(run.Resource.Name, s => s with
            {
                State = exitCode == 0 ? KnownResourceStates.Finished : KnownResourceStates.Exited,
                StateReason = exitCode == 0 ? null : $"exited with code {exitCode}",
                ExitCode = exitCode,
                HealthStatus = null,
                ProcessId = null,
                StoppedAt = timeProvider.GetUtcNow(),
            });
        }

        // Cleared last: until the bookkeeping above is done, a stop or restart sees a process and waits for this watcher.
        run.Process = null;
        process.Dispose();
    }

    private async Task StopProcessAsync(Process process, ResourceRun run)
    {
        // SIGTERM lets the service drain and exit; it is killed only if it overruns the timeout.
        if (ProcessLauncher.Terminate(process))
        {
            try
            {
                await run.Exited.WaitAsync(options.Value.StopTimeout);
                return;
            }
            catch (TimeoutException)
            {
                logs.Write(run.Resource.Name, $"Did not exit within {options.Value.StopTimeout.TotalSeconds:0} s of SIGTERM: killed.");
            }
        }

        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private static bool IsAppHostSetting(string name) =>
        s_appHostSettingPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    private void WriteLine(string resourceName, string? line, bool isError)
    {
        if (line is not null)
        {
            logs.Write(resourceName, line, isError);
        }
    }

    private static List<string> Urls(Resource resource) =>
        resource is IResourceWithEndpoints withEndpoints ? [.. withEndpoints.Endpoints.Where(e => e.Allocated is not null).Select(e => e.Allocated!.Url)] : [];

    /// <summary>
    /// The full path of the command: relative to the working directory when it has a '/', else found on PATH, so a
    /// missing one fails to start with a clear reason.
    /// </summary>
    private static string ResolveCommand(string command, string workingDirectory)
    {
        if (command.Contains('/', StringComparison.Ordinal))
        {
            var path = Path.GetFullPath(command, workingDirectory);
            return File.Exists(path) ? path : throw new DistributedApplicationException($"'{path}' does not exist.");
        }

        var search = Environment.GetEnvironmentVariable("PATH") ?? "";
        return search.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, command))
            .FirstOrDefault(File.Exists)
            ?? throw new DistributedApplicationException($"'{command}' was not found on PATH.");
    }

    /// <summary>The dotnet host that runs projects: the one running the app host when it is dotnet, else dotnet on PATH.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : "dotnet";
}
