using System.Text.RegularExpressions;
using Jarvis.Hosting;
using Jarvis.Hosting.Orchestration;
using Jarvis.Hosting.Testing;
using Jarvis.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Jarvis.Tests.Hosting.Containers;

/// <summary>
/// The container path of run mode, against a stand-in docker CLI (no container engine runs here or on CI): what the
/// app host asks the CLI to do, and what it does when the engine does not answer.
/// </summary>
public sealed class ContainerRunTests
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TheAppHostRunsQdrantAndOllamaThroughTheCliStartsMemoryOnceQdrantIsReadyAndRemovesTheContainersOnSigterm()
    {
        var ct = TestContext.Current.CancellationToken;
        using var docker = StandInDocker.CreateWorking();
        docker.HoldReadiness();

        int exitCode;
        int appHostPid;
        await using (var appHost = AppHostProcess.Start(
            new Dictionary<string, string>
            {
                ["PATH"] = docker.BinDirectory + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"),
                ["AppHost__RandomizePorts"] = "true",
                ["AppHost__PersistGeneratedParameters"] = "false",
                ["AppHost__LocalOllamaUrl"] = "http://127.0.0.1:1",
                ["Parameters__jarvis-api-key"] = "test-key",
                ["Parameters__qdrant-Key"] = "qdrant-secret",
            },
            "--verbose"))
        {
            appHostPid = appHost.Id;
            string Diagnostics() => $"\nApp host output:\n{string.Join('\n', appHost.Output)}\nCLI calls:\n{string.Join('\n', docker.Commands().Select(c => string.Join(' ', c)))}";

            // Qdrant runs but is not ready yet: its health is checked, and memory, which waits for it, is not started;
            // voice, which waits for nothing, is.
            await WaitAsync(() => docker.Requests().Any(r => r.Path == "/readyz" && r.Status == 503), "a health check of qdrant's /readyz", appHost, Diagnostics, ct);
            await WaitAsync(() => appHost.ChildProcesses("Jarvis.Voice.dll").Count > 0, "the voice process", appHost, Diagnostics, ct);
            Assert.Empty(appHost.ChildProcesses("Jarvis.Memory.dll"));
            Assert.Empty(appHost.ChildProcesses("Jarvis.Api.dll"));

            docker.ReleaseReadiness();
            await WaitAsync(() => appHost.ChildProcesses("Jarvis.Memory.dll").Count > 0, "the memory process once qdrant is ready", appHost, Diagnostics, ct);
            var memoryEnvironment = AppHostProcess.EnvironmentOf(appHost.ChildProcesses("Jarvis.Memory.dll")[0]);

            // Every resource settles Running and Healthy: the console table says so.
            string[] resources = ["qdrant", "ollama", "ollama-llama3-2", "ollama-nomic-embed-text", "stt", "tts", "memory", "voice", "api"];
            await WaitAsync(() => resources.All(r => appHost.Output.Any(line => Regex.IsMatch(line, $@"^\s+{Regex.Escape(r)}\s+Running\s+Healthy\b"))), "every resource Running and Healthy in the status table", appHost, Diagnostics, ct);

            // The CLI calls while running.
            var calls = docker.Commands();
            Assert.Equal(["info"], calls[0]);
            var runs = calls.Where(c => c.Length > 0 && c[0] == "run").Select(RunCall.Parse).ToList();
            Assert.Equal(4, runs.Count);
            var qdrant = Assert.Single(runs, r => r.Image == "docker.io/qdrant/qdrant:v1.16.3");
            var ollama = Assert.Single(runs, r => r.Image == "docker.io/ollama/ollama:latest");
            var stt = Assert.Single(runs, r => r.Image == "docker.io/rhasspy/wyoming-whisper:latest");
            var tts = Assert.Single(runs, r => r.Image == "docker.io/rhasspy/wyoming-piper:latest");

            Assert.Matches("^qdrant-[0-9a-f]{8}$", qdrant.Name);
            Assert.Matches("^ollama-[0-9a-f]{8}$", ollama.Name);
            Assert.Matches("^stt-[0-9a-f]{8}$", stt.Name);
            Assert.Matches("^tts-[0-9a-f]{8}$", tts.Name);
            foreach (var run in runs)
            {
                Assert.True(run.Detached, $"{run.Name} runs detached");
                Assert.Equal([$"jarvis.apphost.pid={appHost.Id}"], run.Labels);
                Assert.All(run.Publishes, p => Assert.Matches(@"^127\.0\.0\.1:\d+:\d+$", p));
            }

            Assert.Equal([6333, 6334], qdrant.Publishes.Select(TargetPort).Order());
            Assert.Equal([11434], ollama.Publishes.Select(TargetPort));
            Assert.Equal([10300], stt.Publishes.Select(TargetPort));
            Assert.Equal([10200], tts.Publishes.Select(TargetPort));
            Assert.Equal(["jarvis.apphost-qdrant-data:/qdrant/storage"], qdrant.Volumes);
            Assert.Equal(["jarvis.apphost-ollama-data:/root/.ollama"], ollama.Volumes);
            Assert.Equal(["jarvis.apphost-stt-data:/data"], stt.Volumes);
            Assert.Equal(["jarvis.apphost-tts-data:/data"], tts.Volumes);
            Assert.Empty(qdrant.Args);
            Assert.Empty(ollama.Args);
            Assert.Equal(["--model", "tiny-int8", "--language", "en"], stt.Args);
            Assert.Equal(["--voice", "en_US-lessac-medium"], tts.Args);

            // The API key travels in the CLI's environment, never on a command line.
            Assert.Equal(["QDRANT__SERVICE__API_KEY"], qdrant.Environment);
            Assert.Empty(ollama.Environment);
            Assert.Empty(stt.Environment);
            Assert.Empty(tts.Environment);
            Assert.Contains((qdrant.Name, "QDRANT__SERVICE__API_KEY", "qdrant-secret"), docker.Environment());
            Assert.DoesNotContain(calls, c => c.Any(arg => arg.Contains("qdrant-secret", StringComparison.Ordinal)));

            // The app host follows each container: its output, its state, and a watchdog for a crash of the app host.
            foreach (var run in runs)
            {
                Assert.Contains(calls, c => c.SequenceEqual(["logs", "--follow", run.Name]));
                Assert.Contains(calls, c => c.SequenceEqual(["inspect", run.Name]));
                Assert.Contains(appHost.Output, line => line == $"[{run.Name.Split('-')[0]}] stand-in container {run.Name} is running");
            }

            // Memory got qdrant's gRPC and REST endpoints, on the published host ports, with the key.
            var grpcPort = HostPort(qdrant.Publishes.Single(p => TargetPort(p) == 6334));
            var httpPort = HostPort(qdrant.Publishes.Single(p => TargetPort(p) == 6333));
            Assert.Equal($"Endpoint=http://localhost:{grpcPort};Key=qdrant-secret", memoryEnvironment.GetValueOrDefault("ConnectionStrings__qdrant"));
            Assert.Equal($"Endpoint=http://localhost:{httpPort};Key=qdrant-secret", memoryEnvironment.GetValueOrDefault("ConnectionStrings__qdrant_http"));

            // Voice got the Wyoming servers' tcp endpoints on their published host ports.
            var voiceEnvironment = AppHostProcess.EnvironmentOf(appHost.ChildProcesses("Jarvis.Voice.dll")[0]);
            Assert.Equal($"Endpoint=tcp://localhost:{HostPort(stt.Publishes.Single())}", voiceEnvironment.GetValueOrDefault("ConnectionStrings__stt"));
            Assert.Equal($"Endpoint=tcp://localhost:{HostPort(tts.Publishes.Single())}", voiceEnvironment.GetValueOrDefault("ConnectionStrings__tts"));

            // Each model was pulled once from the Ollama container, by its full name.
            var ollamaPort = HostPort(ollama.Publishes.Single());
            var pulls = docker.Requests().Where(r => r.Method == "POST" && r.Path == "/api/pull").ToList();
            Assert.All(pulls, p => Assert.Equal((ollama.Name, ollamaPort), (p.Container, p.Port)));
            Assert.Equal(["llama3.2:1b", "nomic-embed-text"], pulls.Select(p => System.Text.Json.JsonDocument.Parse(p.Body).RootElement.GetProperty("model").GetString()).Order());

            exitCode = await appHost.TerminateAsync(ct);
            Assert.True(exitCode == 0, $"The app host exited with {exitCode}.{Diagnostics()}");

            // Both containers were stopped (with the stop timeout) and then removed; their volumes were kept.
            calls = docker.Commands();
            foreach (var run in runs)
            {
                var stop = IndexOf(calls, ["stop", "--time", "15", run.Name]);
                var remove = IndexOf(calls, ["rm", "--force", run.Name]);
                Assert.True(stop >= 0, $"docker stop {run.Name} was called.{Diagnostics()}");
                Assert.True(remove > stop, $"docker rm --force {run.Name} was called after the stop.{Diagnostics()}");
            }

            Assert.DoesNotContain(calls, c => c.Length > 0 && c[0] == "volume");
            Assert.Empty(docker.ExistingContainers());
        }

        Assert.Equal(0, exitCode);
        Assert.False(ProcessExists(appHostPid));
    }

    [Fact]
    public async Task WithoutAWorkingEngineTheContainersAreRuntimeUnhealthyAndTheServicesStartWithoutThem()
    {
        var ct = TestContext.Current.CancellationToken;
        using var docker = StandInDocker.CreateBroken();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Jarvis_AppHost>(ct);
        builder.Configuration["AppHost:ContainerRuntime"] = docker.Executable;
        builder.Configuration["AppHost:LocalOllamaUrl"] = "http://127.0.0.1:1";
        builder.Configuration["Parameters:jarvis-api-key"] = "test-key";
        await using var app = await builder.BuildAsync(ct);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(WaitLimit);
        await app.StartAsync(timeout.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("memory", timeout.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("voice", timeout.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("api", timeout.Token);

        foreach (var container in (string[])["qdrant", "ollama", "stt", "tts"])
        {
            var snapshot = app.ResourceNotifications.GetSnapshot(container)!;
            Assert.Equal(KnownResourceStates.RuntimeUnhealthy, snapshot.State);
            Assert.Contains("Cannot connect to the Docker daemon", snapshot.StateReason, StringComparison.Ordinal);
        }

        foreach (var model in (string[])["ollama-llama3-2", "ollama-nomic-embed-text"])
        {
            Assert.Equal(KnownResourceStates.RuntimeUnhealthy, app.ResourceNotifications.GetSnapshot(model)!.State);
        }

        // The engine was asked once whether it answers, and nothing was run.
        Assert.Equal([["info"]], docker.Commands());

        // Memory runs without qdrant (and without the embedding model, which needs ollama): nothing points at them.
        var memory = app.ResourceNotifications.GetSnapshot("memory")!;
        var environment = AppHostProcess.EnvironmentOf(memory.ProcessId!.Value);
        Assert.False(environment.ContainsKey("ConnectionStrings__qdrant"), "memory has no ConnectionStrings__qdrant");
        Assert.False(environment.ContainsKey("ConnectionStrings__qdrant_http"), "memory has no ConnectionStrings__qdrant_http");
        Assert.False(environment.ContainsKey("ConnectionStrings__ollama-nomic-embed-text"), "memory has no ConnectionStrings__ollama-nomic-embed-text");
        Assert.DoesNotContain(memory.Environment, v => v.Name.StartsWith("ConnectionStrings__", StringComparison.Ordinal));
        var memoryLog = app.Services.GetRequiredService<ResourceLoggerService>().GetLines("memory").Select(l => l.Text).ToList();
        Assert.Contains(memoryLog, l => l.StartsWith("Not waiting for 'qdrant'", StringComparison.Ordinal));
        Assert.Contains(memoryLog, l => l == "Not setting ConnectionStrings__qdrant: 'qdrant' cannot run here.");

        // Voice starts without the Wyoming servers: it uses its local engines.
        var voice = app.ResourceNotifications.GetSnapshot("voice")!;
        Assert.DoesNotContain(voice.Environment, v => v.Name.StartsWith("ConnectionStrings__", StringComparison.Ordinal));

        // The api, which references the llm model, starts without it too.
        var api = app.ResourceNotifications.GetSnapshot("api")!;
        Assert.False(AppHostProcess.EnvironmentOf(api.ProcessId!.Value).ContainsKey("ConnectionStrings__ollama-llama3-2"));
    }

    [Fact]
    public async Task AspireContainerRuntimeNamesTheCli()
    {
        var ct = TestContext.Current.CancellationToken;
        using var docker = StandInDocker.CreateBroken();
        var builder = DistributedApplicationTestingBuilder.Create();
        builder.Configuration["ASPIRE_CONTAINER_RUNTIME"] = docker.Executable;
        builder.ApplicationBuilder.AddContainer("cache", "docker.io/library/redis", "7");
        await using var app = await builder.BuildAsync(ct);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(WaitLimit);
        await app.StartAsync(timeout.Token);
        var snapshot = (await app.ResourceNotifications.WaitForResourceAsync("cache", KnownResourceStates.RuntimeUnhealthy, timeout.Token)).Snapshot;

        Assert.Equal($"no container engine: '{docker.Executable} info' failed: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?", snapshot.StateReason);
        Assert.Equal([["info"]], docker.Commands());
    }

    private static async Task WaitAsync(Func<bool> condition, string what, AppHostProcess appHost, Func<string> diagnostics, CancellationToken cancellationToken)
    {
        try
        {
            await Eventually.TrueAsync(() =>
            {
                if (appHost.HasExited)
                {
                    throw new InvalidOperationException($"The app host exited while waiting for {what}.{diagnostics()}");
                }

                return Task.FromResult(condition());
            }, what, cancellationToken, WaitLimit);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}{diagnostics()}", e);
        }
    }

    private static int IndexOf(IReadOnlyList<string[]> calls, string[] call)
    {
        for (var i = 0; i < calls.Count; i++)
        {
            if (calls[i].SequenceEqual(call))
            {
                return i;
            }
        }

        return -1;
    }

    private static int HostPort(string publish) => int.Parse(publish.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);

    private static int TargetPort(string publish) => int.Parse(publish.Split(':')[2], System.Globalization.CultureInfo.InvariantCulture);

    private static bool ProcessExists(int pid) => Directory.Exists($"/proc/{pid}");

    /// <summary>A <c>docker run</c> call, its options taken apart.</summary>
    private sealed record RunCall(string Name, bool Detached, List<string> Labels, List<string> Publishes, List<string> Environment, List<string> Volumes, string Image, List<string> Args)
    {
        public static RunCall Parse(string[] call)
        {
            var run = new RunCall("", false, [], [], [], [], "", []);
            var i = 1;
            for (; i < call.Length && call[i].StartsWith("--", StringComparison.Ordinal); i++)
            {
                switch (call[i])
                {
                    case "--detach":
                        run = run with { Detached = true };
                        break;
                    case "--name":
                        run = run with { Name = call[++i] };
                        break;
                    case "--label":
                        run.Labels.Add(call[++i]);
                        break;
                    case "--publish":
                        run.Publishes.Add(call[++i]);
                        break;
                    case "--env":
                        run.Environment.Add(call[++i]);
                        break;
                    case "--volume":
                        run.Volumes.Add(call[++i]);
                        break;
                    default:
                        throw new InvalidOperationException($"Unexpected option {call[i]} in: {string.Join(' ', call)}");
                }
            }

            return run with { Image = call[i], Args = [.. call.Skip(i + 1)] };
        }
    }
}
