using System.Net;
using Jarvis.Hosting.Orchestration;
using Jarvis.Hosting.Testing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Jarvis.Tests.Stack;

/// <summary>
/// The real app host with nothing configured, as on a machine without a container engine: the projects run, the
/// containers cannot, and single resources are stopped, started and restarted by command.
/// </summary>
[Collection(StackTestGroup.Name)]
public sealed class AppHostLifecycleTests(BareStackFixture stack) : IClassFixture<BareStackFixture>
{
    [Fact]
    public async Task EveryProjectBecomesHealthy_AndWithoutAContainerEngineTheContainersAndModelsCannotRun()
    {
        var ct = TestContext.Current.CancellationToken;

        foreach (var service in AppHostFixture.Services)
        {
            var snapshot = stack.Snapshot(service);
            Assert.Equal(KnownResourceStates.Running, snapshot.State);
            Assert.Equal(HealthStatus.Healthy, snapshot.HealthStatus);
            Assert.NotNull(LinuxProcesses.Read(snapshot.ProcessId!.Value));
        }

        foreach (var container in (string[])["qdrant", "ollama"])
        {
            var snapshot = stack.Snapshot(container);
            Assert.Equal(KnownResourceStates.RuntimeUnhealthy, snapshot.State);
            Assert.StartsWith("no container engine", snapshot.StateReason, StringComparison.Ordinal);
            Assert.Null(snapshot.ProcessId);
        }

        foreach (var model in (string[])["ollama-llama3-2", "ollama-nomic-embed-text"])
        {
            var snapshot = stack.Snapshot(model);
            Assert.Equal(KnownResourceStates.RuntimeUnhealthy, snapshot.State);
            Assert.Contains("'ollama'", snapshot.StateReason, StringComparison.Ordinal);
        }

        foreach (var parameter in (string[])["jarvis-api-key", "qdrant-Key"])
        {
            Assert.Equal(KnownResourceStates.Running, stack.Snapshot(parameter).State);
        }

        using var client = stack.App.CreateHttpClient("api");
        using var response = await client.GetAsync("/health", ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void WithoutQdrantMemoryGetsNoQdrantConnectionString()
    {
        var environment = stack.ProcessEnvironment("memory");

        Assert.DoesNotContain("ConnectionStrings__qdrant", environment.Keys);
        Assert.DoesNotContain("ConnectionStrings__qdrant_http", environment.Keys);
        Assert.DoesNotContain("ConnectionStrings__ollama-nomic-embed-text", environment.Keys);
        Assert.DoesNotContain(stack.Snapshot("memory").Environment, v => v.Name.StartsWith("ConnectionStrings__", StringComparison.Ordinal));
    }

    [Fact]
    public void WithoutADashboardNoServiceIsToldToExportTelemetry()
    {
        Assert.SkipWhen(
            ((string[])["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", "ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL", "DOTNET_DASHBOARD_OTLP_ENDPOINT_URL", "DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"])
                .Any(v => Environment.GetEnvironmentVariable(v) is not null),
            "The test run itself names a dashboard OTLP endpoint, which the app host reads.");

        foreach (var service in AppHostFixture.Services)
        {
            var environment = stack.ProcessEnvironment(service);
            Assert.Equal(service, environment["OTEL_SERVICE_NAME"]);
            Assert.DoesNotContain("OTEL_EXPORTER_OTLP_ENDPOINT", environment.Keys);
            Assert.DoesNotContain("OTEL_EXPORTER_OTLP_HEADERS", environment.Keys);
        }
    }

    [Fact]
    public async Task RestartingVoiceGivesItANewHealthyProcess_AndLeavesTheApiAlone()
    {
        using var timeout = StackTimeout.Start(TestContext.Current.CancellationToken);
        var notifications = stack.App.ResourceNotifications;
        await notifications.WaitForResourceHealthyAsync("voice", timeout.Token);
        var before = LinuxProcesses.Read(stack.Snapshot("voice").ProcessId!.Value)!;
        var api = stack.Snapshot("api");

        var result = await stack.App.ResourceCommands.ExecuteCommandAsync("voice", ResourceCommandService.Restart, timeout.Token);
        Assert.True(result.Success, result.ErrorMessage);
        var after = await notifications.WaitForResourceHealthyAsync("voice", timeout.Token);

        Assert.NotEqual(before.Pid, after.Snapshot.ProcessId);
        Assert.False(LinuxProcesses.IsAlive(before), "The old voice process still runs.");
        Assert.True(after.Snapshot.StartedAt > api.StartedAt);
        using var client = stack.App.CreateHttpClient("voice");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health", timeout.Token)).StatusCode);

        var apiNow = stack.Snapshot("api");
        Assert.Equal(api.ProcessId, apiNow.ProcessId);
        Assert.Equal(api.StartedAt, apiNow.StartedAt);
        Assert.Equal(KnownResourceStates.Running, apiNow.State);
        Assert.Equal(HealthStatus.Healthy, apiNow.HealthStatus);
    }

    [Fact]
    public async Task StopAndStartCommandsStopAndStartVoice_AndStoppingAStoppedResourceFails()
    {
        using var timeout = StackTimeout.Start(TestContext.Current.CancellationToken);
        var notifications = stack.App.ResourceNotifications;
        var commands = stack.App.ResourceCommands;
        await notifications.WaitForResourceHealthyAsync("voice", timeout.Token);
        var running = LinuxProcesses.Read(stack.Snapshot("voice").ProcessId!.Value)!;

        var stop = await commands.ExecuteCommandAsync("voice", ResourceCommandService.Stop, timeout.Token);

        Assert.True(stop.Success, stop.ErrorMessage);
        var stopped = stack.Snapshot("voice");
        Assert.Equal(KnownResourceStates.Exited, stopped.State);
        Assert.Null(stopped.ProcessId);
        Assert.Null(stopped.HealthStatus);
        Assert.NotNull(stopped.StoppedAt);
        Assert.False(LinuxProcesses.IsAlive(running), "The voice process still runs after the stop command.");

        var stopAgain = await commands.ExecuteCommandAsync("voice", ResourceCommandService.Stop, timeout.Token);
        Assert.False(stopAgain.Success);
        Assert.Contains("voice", stopAgain.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(KnownResourceStates.Exited, stack.Snapshot("voice").State);

        var start = await commands.ExecuteCommandAsync("voice", ResourceCommandService.Start, timeout.Token);

        Assert.True(start.Success, start.ErrorMessage);
        var restarted = await notifications.WaitForResourceHealthyAsync("voice", timeout.Token);
        Assert.NotEqual(running.Pid, restarted.Snapshot.ProcessId);
        Assert.Null(restarted.Snapshot.StoppedAt);

        var startAgain = await commands.ExecuteCommandAsync("voice", ResourceCommandService.Start, timeout.Token);
        Assert.False(startAgain.Success);
    }

    [Fact]
    public async Task CommandsOnResourcesThatCannotRunFail()
    {
        var commands = stack.App.ResourceCommands;
        var ct = TestContext.Current.CancellationToken;

        Assert.False((await commands.ExecuteCommandAsync("jarvis-api-key", ResourceCommandService.Restart, ct)).Success);
        Assert.False((await commands.ExecuteCommandAsync("no-such-resource", ResourceCommandService.Start, ct)).Success);
        Assert.False((await commands.ExecuteCommandAsync("voice", "resource-explode", ct)).Success);
        Assert.False((await commands.ExecuteCommandAsync("qdrant", ResourceCommandService.Start, ct)).Success);
    }
}
