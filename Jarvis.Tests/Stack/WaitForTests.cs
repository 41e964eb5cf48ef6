using Jarvis.Hosting;
using Jarvis.Hosting.Orchestration;
using Jarvis.Hosting.Testing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Jarvis.Tests.Stack;

/// <summary>WaitFor and WaitForCompletion with dependencies that fail or finish, composed in the test.</summary>
[Collection(StackTestGroup.Name)]
public sealed class WaitForTests
{
    /// <summary>
    /// A process without health checks must not count as healthy the instant it is launched: a command that fails at
    /// once (<c>sh -c "exit 3"</c>) fails its waiter instead of letting it through.
    /// </summary>
    [Fact]
    public async Task WaiterOfADependencyThatExitsAtOnceFailsToStartNamingIt()
    {
        using var timeout = StackTimeout.Start(TestContext.Current.CancellationToken);
        var builder = DistributedApplicationTestingBuilder.Create();
        var broken = builder.ApplicationBuilder.AddExecutable("broken", "sh", ".", "-c", "exit 3");
        builder.ApplicationBuilder.AddProject<Projects.Jarvis_Voice>("voice").WithHttpHealthCheck("/health").WaitFor(broken);
        await using var app = await builder.BuildAsync(timeout.Token);
        await using var recorder = new ResourceEventRecorder(app.ResourceNotifications);

        await app.StartAsync(timeout.Token);
        var voice = await app.ResourceNotifications.WaitForResourceAsync("voice", e => KnownResourceStates.IsStopped(e.Snapshot.State) || e.Snapshot.ProcessId is not null, timeout.Token);
        await app.ResourceNotifications.WaitForResourceAsync("broken", e => KnownResourceStates.IsStopped(e.Snapshot.State), timeout.Token);

        var history = $"broken: {recorder.History("broken")}; voice: {recorder.History("voice")}";
        Assert.True(voice.Snapshot.State == KnownResourceStates.FailedToStart, $"voice is {voice.Snapshot.State}, not FailedToStart ({history}).");
        Assert.Contains("'broken'", voice.Snapshot.StateReason, StringComparison.Ordinal);
        Assert.Contains("exited with code 3", voice.Snapshot.StateReason, StringComparison.Ordinal);
        Assert.Null(voice.Snapshot.ProcessId);
        var brokenSnapshot = app.ResourceNotifications.GetSnapshot("broken")!;
        Assert.Equal(KnownResourceStates.Exited, brokenSnapshot.State);
        Assert.Equal(3, brokenSnapshot.ExitCode);
        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.ResourceNotifications.WaitForResourceHealthyAsync("voice", timeout.Token));
        Assert.Contains("broken", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaiterOfAnUnhealthyDependencyThatExitsFailsToStartNamingIt()
    {
        using var timeout = StackTimeout.Start(TestContext.Current.CancellationToken);
        var builder = DistributedApplicationTestingBuilder.Create();

        // Runs a second with a health check nobody answers, then crashes: never healthy, so voice must never start.
        var broken = builder.ApplicationBuilder.AddExecutable("broken", "sh", ".", "-c", "sleep 1; exit 3")
            .WithHttpEndpoint()
            .WithHttpHealthCheck("/health");
        builder.ApplicationBuilder.AddProject<Projects.Jarvis_Voice>("voice").WithHttpHealthCheck("/health").WaitFor(broken);
        await using var app = await builder.BuildAsync(timeout.Token);

        await app.StartAsync(timeout.Token);
        var voice = await app.ResourceNotifications.WaitForResourceAsync("voice", e => KnownResourceStates.IsStopped(e.Snapshot.State) || e.Snapshot.ProcessId is not null, timeout.Token);

        Assert.Equal(KnownResourceStates.FailedToStart, voice.Snapshot.State);
        Assert.Equal("Dependency 'broken' is Exited: exited with code 3", voice.Snapshot.StateReason);
    }

    [Fact]
    public async Task WaitForCompletionStartsTheWaiterOnceTheDependencyFinished()
    {
        using var timeout = StackTimeout.Start(TestContext.Current.CancellationToken);
        var builder = DistributedApplicationTestingBuilder.Create();
        var migration = builder.ApplicationBuilder.AddExecutable("migration", "sh", ".", "-c", "sleep 1; exit 0");
        builder.ApplicationBuilder.AddProject<Projects.Jarvis_Voice>("voice").WithHttpHealthCheck("/health").WaitForCompletion(migration);
        await using var app = await builder.BuildAsync(timeout.Token);

        await app.StartAsync(timeout.Token);
        var voice = await app.ResourceNotifications.WaitForResourceHealthyAsync("voice", timeout.Token);

        var finished = app.ResourceNotifications.GetSnapshot("migration")!;
        Assert.Equal(KnownResourceStates.Finished, finished.State);
        Assert.Equal(0, finished.ExitCode);
        Assert.True(voice.Snapshot.StartedAt >= finished.StoppedAt, $"voice started at {voice.Snapshot.StartedAt}, before the migration finished at {finished.StoppedAt}.");
        Assert.Equal(HealthStatus.Healthy, voice.Snapshot.HealthStatus);
    }

    [Fact]
    public async Task WaitForCompletionFailsTheWaiterWhenTheDependencyFails()
    {
        using var timeout = StackTimeout.Start(TestContext.Current.CancellationToken);
        var builder = DistributedApplicationTestingBuilder.Create();
        var migration = builder.ApplicationBuilder.AddExecutable("migration", "sh", ".", "-c", "exit 1");
        builder.ApplicationBuilder.AddProject<Projects.Jarvis_Voice>("voice").WithHttpHealthCheck("/health").WaitForCompletion(migration);
        await using var app = await builder.BuildAsync(timeout.Token);

        await app.StartAsync(timeout.Token);
        var voice = await app.ResourceNotifications.WaitForResourceAsync("voice", e => KnownResourceStates.IsStopped(e.Snapshot.State) || e.Snapshot.ProcessId is not null, timeout.Token);

        Assert.Equal(KnownResourceStates.FailedToStart, voice.Snapshot.State);
        Assert.Equal("Dependency 'migration' is Exited: exited with code 1", voice.Snapshot.StateReason);
        Assert.Null(voice.Snapshot.ProcessId);
    }
}
