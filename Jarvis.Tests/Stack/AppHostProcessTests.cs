using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Jarvis.Tests.Infrastructure;

namespace Jarvis.Tests.Stack;

/// <summary>
/// The built app host run as a process, as a developer runs it: it prints its status table, and none of the service
/// processes it starts outlives it, whether it is stopped (SIGTERM, SIGINT) or killed (SIGKILL).
/// </summary>
[Collection(StackTestGroup.Name)]
public sealed partial class AppHostProcessTests
{
    private static readonly string[] s_serviceAssemblies = ["Jarvis.Api.dll", "Jarvis.Memory.dll", "Jarvis.Voice.dll"];

    [Fact]
    public async Task NoServiceOutlivesTheAppHostKilledWithSigkill()
    {
        using var timeout = StackTimeout.Start(TestContext.Current.CancellationToken);
        await using var appHost = AppHostProcess.Start();
        var services = await appHost.WaitUntilServicesAreHealthyAsync(timeout.Token);

        LinuxProcesses.Signal(appHost.Pid, LinuxProcesses.SigKill);
        await appHost.WaitForExitAsync(timeout.Token);

        await Eventually.TrueAsync(
            () => Task.FromResult(!services.Any(LinuxProcesses.IsAlive)),
            $"every service to exit after the app host was killed; alive: {string.Join(", ", services.Where(LinuxProcesses.IsAlive).Select(p => p.CommandLine))}",
            timeout.Token,
            TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task SigtermStopsEveryServiceAndExitsWithZero()
    {
        using var timeout = StackTimeout.Start(TestContext.Current.CancellationToken);
        await using var appHost = AppHostProcess.Start();
        var services = await appHost.WaitUntilServicesAreHealthyAsync(timeout.Token);

        // The api gets the parameter's value under its own name, not the app host's settings it was configured with.
        var api = LinuxProcesses.ReadEnvironment(services.Single(p => p.CommandLine.Contains("Jarvis.Api.dll", StringComparison.Ordinal)).Pid);
        Assert.Equal("x", api["Jarvis__ApiKey"]);
        Assert.DoesNotContain(api.Keys, k => k.StartsWith("Parameters__", StringComparison.Ordinal) || k.StartsWith("AppHost__", StringComparison.Ordinal));

        LinuxProcesses.Signal(appHost.Pid, LinuxProcesses.SigTerm);
        var exitCode = await appHost.WaitForExitAsync(timeout.Token);

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain(services, LinuxProcesses.IsAlive);
    }

    [Fact]
    public async Task SigintStopsEveryServiceAndExitsWithZero()
    {
        using var timeout = StackTimeout.Start(TestContext.Current.CancellationToken);
        await using var appHost = AppHostProcess.Start();
        var services = await appHost.WaitUntilServicesAreHealthyAsync(timeout.Token);
        Assert.SkipWhen(LinuxProcesses.IgnoresSignal(appHost.Pid, LinuxProcesses.SigInt), "The app host inherited SIGINT ignored (started from a non-interactive shell).");

        LinuxProcesses.Signal(appHost.Pid, LinuxProcesses.SigInt);
        var exitCode = await appHost.WaitForExitAsync(timeout.Token);

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain(services, LinuxProcesses.IsAlive);
    }

    [GeneratedRegex(@"^\s*(?<name>api|memory|voice)\s+Running\s+Healthy\s+http://localhost:\d+\s*$")]
    private static partial Regex HealthyServiceLine();

    /// <summary><c>dotnet Jarvis.AppHost.dll</c> with its console captured, on free ports, nothing saved.</summary>
    private sealed class AppHostProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _output = new();
        private List<ProcessInfo> _descendants = [];

        private AppHostProcess(Process process) => _process = process;

        public int Pid => _process.Id;

        public static AppHostProcess Start()
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.Combine(RepositoryPaths.Root, "Jarvis.AppHost"),
            };
            start.ArgumentList.Add(RepositoryPaths.ProjectAssembly("Jarvis.AppHost"));
            foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("OTEL_", StringComparison.Ordinal) || k.StartsWith("ConnectionStrings__", StringComparison.Ordinal)).ToList())
            {
                start.Environment.Remove(inherited);
            }

            start.Environment["AppHost__RandomizePorts"] = "true";
            start.Environment["AppHost__PersistGeneratedParameters"] = "false";
            start.Environment["AppHost__LocalOllamaUrl"] = "http://127.0.0.1:1";
            start.Environment["AppHost__ContainerRuntime"] = AppHostFixture.NoContainerEngine;
            start.Environment["Parameters__jarvis-api-key"] = "x";
            start.Environment["Parameters__qdrant-Key"] = "y";

            var process = new Process { StartInfo = start };
            var appHost = new AppHostProcess(process);
            process.OutputDataReceived += (_, e) => appHost.Capture(e.Data);
            process.ErrorDataReceived += (_, e) => appHost.Capture(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return appHost;
        }

        /// <summary>Waits for the status table to show api, memory and voice healthy; returns their processes.</summary>
        public async Task<List<ProcessInfo>> WaitUntilServicesAreHealthyAsync(CancellationToken cancellationToken)
        {
            await Eventually.TrueAsync(
                () =>
                {
                    if (_process.HasExited)
                    {
                        throw new InvalidOperationException($"The app host exited with {_process.ExitCode}:\n{string.Join('\n', _output)}");
                    }

                    var healthy = _output.Select(l => HealthyServiceLine().Match(l)).Where(m => m.Success).Select(m => m.Groups["name"].Value).ToHashSet();
                    return Task.FromResult(healthy.Count == 3);
                },
                "the status table to show api, memory and voice Running and Healthy",
                cancellationToken,
                StackTimeout.Limit);

            _descendants = LinuxProcesses.Descendants(Pid);
            var services = _descendants.Where(p => s_serviceAssemblies.Any(a => p.CommandLine.Contains(a, StringComparison.Ordinal))).ToList();
            Assert.True(
                s_serviceAssemblies.All(a => services.Any(p => p.CommandLine.Contains(a, StringComparison.Ordinal))),
                $"Expected a child process for each service; children: {string.Join(" | ", _descendants.Select(p => p.CommandLine))}");
            Assert.All(services, s => Assert.Equal(Pid, s.ParentPid));
            return _descendants;
        }

        public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
        {
            await _process.WaitForExitAsync(cancellationToken);
            return _process.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            // A failed test must not leave services running for the next one.
            LinuxProcesses.KillSurvivors(_descendants);
            _process.Dispose();
        }

        private void Capture(string? line)
        {
            if (line is not null)
            {
                _output.Enqueue(line);
            }
        }
    }
}
