using Jarvis.Hosting;
using Jarvis.Hosting.Orchestration;
using Jarvis.Hosting.Testing;
using Jarvis.Tests.Infrastructure;

namespace Jarvis.Tests.Hosting.Containers;

/// <summary>
/// No container outlives the app host: not one whose <c>docker run</c> was still pulling when the app host stopped, not
/// one that crashed before. In-process, against the stand-in CLI named by <c>AppHost:ContainerRuntime</c>.
/// </summary>
public sealed class ContainerCleanupTests
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ACrashedContainerIsExitedWithItsExitCode()
    {
        var ct = TestContext.Current.CancellationToken;
        using var docker = StandInDocker.CreateWorking();
        await using var app = await BuildAsync(docker, ct);
        using var timeout = Timeout(ct);

        await app.StartAsync(timeout.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("cache", timeout.Token);
        var name = RunName(docker);

        docker.Crash(name, 137);
        var exited = (await app.ResourceNotifications.WaitForResourceAsync("cache", e => KnownResourceStates.IsStopped(e.Snapshot.State), timeout.Token)).Snapshot;

        Assert.Equal(KnownResourceStates.Exited, exited.State);
        Assert.Equal(137, exited.ExitCode);
        Assert.Equal("exited with code 137", exited.StateReason);
        Assert.Null(exited.HealthStatus);
    }

    /// <summary>
    /// A container that exited on its own is removed at once, and its watchdog (<c>/bin/sh … docker rm</c>) and log
    /// follower end, rather than lingering until the app host dies.
    /// </summary>
    [Fact]
    public async Task StoppingTheAppRemovesAContainerThatHadCrashedAndEndsItsWatchdog()
    {
        var ct = TestContext.Current.CancellationToken;
        using var docker = StandInDocker.CreateWorking();
        string name;
        await using (var app = await BuildAsync(docker, ct))
        {
            using var timeout = Timeout(ct);
            await app.StartAsync(timeout.Token);
            await app.ResourceNotifications.WaitForResourceHealthyAsync("cache", timeout.Token);
            name = RunName(docker);
            docker.Crash(name, 137);
            await app.ResourceNotifications.WaitForResourceAsync("cache", KnownResourceStates.Exited, timeout.Token);
            await app.StopAsync(timeout.Token);
        }

        Assert.Empty(docker.ExistingContainers());
        Assert.Contains(docker.Commands(), c => c.SequenceEqual(["rm", "--force", name]));
        await Eventually.TrueAsync(() => Task.FromResult(ProcessesMentioning(name).Count == 0), $"no process left for {name} (watchdog, log follower)", ct, TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// When the app host stops while <c>docker run</c> is still going (pulling the image, minutes for ollama on a first
    /// run), the CLI is stopped and the container, if it was created, removed: no watchdog is armed yet to do it.
    /// </summary>
    [Fact]
    public async Task StoppingTheAppWhileDockerRunIsPullingLeavesNoContainerBehind()
    {
        var ct = TestContext.Current.CancellationToken;
        using var docker = StandInDocker.CreateWorking();
        var pull = TimeSpan.FromSeconds(3);
        docker.SlowRuns(pull);
        await using (var app = await BuildAsync(docker, ct))
        {
            using var timeout = Timeout(ct);
            await app.StartAsync(timeout.Token);
            await Eventually.TrueAsync(() => Task.FromResult(docker.Commands().Any(c => c.Length > 0 && c[0] == "run")), "docker run", ct);
            await app.StopAsync(timeout.Token);
            Assert.Equal(KnownResourceStates.NotStarted, app.ResourceNotifications.GetSnapshot("cache")!.State);
        }

        // Long enough for an abandoned `docker run` to finish creating its container.
        await Task.Delay(pull + TimeSpan.FromSeconds(2), ct);
        Assert.Empty(docker.ExistingContainers());
    }

    private static async Task<DistributedApplication> BuildAsync(StandInDocker docker, CancellationToken cancellationToken)
    {
        var builder = DistributedApplicationTestingBuilder.Create();
        builder.Configuration["AppHost:ContainerRuntime"] = docker.Executable;
        builder.Configuration["AppHost:StopTimeout"] = "00:00:02";
        builder.ApplicationBuilder.AddContainer("cache", "docker.io/library/redis", "7");
        return await builder.BuildAsync(cancellationToken);
    }

    private static string RunName(StandInDocker docker)
    {
        var run = Assert.Single(docker.Commands(), c => c.Length > 0 && c[0] == "run");
        return run[Array.IndexOf(run, "--name") + 1];
    }

    private static List<int> ProcessesMentioning(string text)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(directory, "cmdline")).Contains(text, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
        }

        return found;
    }

    private static CancellationTokenSource Timeout(CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(WaitLimit);
        return timeout;
    }
}
