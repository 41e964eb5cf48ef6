using System.Collections.Concurrent;
using Jarvis.Hosting;
using Jarvis.Hosting.Orchestration;
using Jarvis.Hosting.Testing;
using Jarvis.Tests.Infrastructure.Ollama;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Jarvis.Tests.Hosting.Containers;

/// <summary>
/// Ollama models against a fake Ollama server used as an existing instance (<c>ConnectionStrings:ollama</c>): a missing
/// model is pulled, with its progress as the resource's state; a present one is not; a failed pull says why.
/// </summary>
public sealed class OllamaModelTests
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AMissingModelIsPulledOnceShowingItsProgressThenRunsHealthy()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var ollama = await FakeOllamaServer.StartAsync(["nomic-embed-text:latest"], ct);
        await using var app = await BuildAsync(ollama, "llama3.2:1b", ct);
        await using var states = StateRecorder.Start(app.ResourceNotifications, "ollama-llama3-2");
        using var timeout = Timeout(ct);

        await app.StartAsync(timeout.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("ollama-llama3-2", timeout.Token);

        var pull = Assert.Single(ollama.Pulls);
        Assert.Equal("""{"model":"llama3.2:1b","stream":true}""", pull.Body);
        Assert.StartsWith("application/json", pull.ContentType, StringComparison.Ordinal);

        // The layer went 25%, 50%, 100%; the second layer (already at 100%) adds no state.
        var sequence = states.DistinctStates();
        Assert.Equal(
            ["Checking llama3.2:1b", "Downloading 25%", "Downloading 50%", "Downloading 100%", KnownResourceStates.Running],
            sequence.SkipWhile(s => s != "Checking llama3.2:1b"));

        var snapshot = app.ResourceNotifications.GetSnapshot("ollama-llama3-2")!;
        Assert.Equal(KnownResourceStates.Running, snapshot.State);
        Assert.Equal(HealthStatus.Healthy, snapshot.HealthStatus);
        Assert.Equal([Endpoint(ollama)], snapshot.Urls);

        var log = app.Services.GetRequiredService<ResourceLoggerService>().GetLines("ollama-llama3-2").Select(l => l.Text).ToList();
        Assert.Equal(["Pulling llama3.2:1b.", "Pulled llama3.2:1b."], log);

        // The server itself is the existing instance, not a container.
        var server = app.ResourceNotifications.GetSnapshot("ollama")!;
        Assert.Equal(KnownResourceStates.Running, server.State);
        Assert.Equal("using ConnectionStrings:ollama", server.StateReason);
    }

    [Fact]
    public async Task AModelTheServerListsIsNotPulled()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var ollama = await FakeOllamaServer.StartAsync(["llama3.2:1b", "nomic-embed-text:latest"], ct);
        await using var app = await BuildAsync(ollama, "llama3.2:1b", ct);
        await using var states = StateRecorder.Start(app.ResourceNotifications, "ollama-llama3-2");
        using var timeout = Timeout(ct);

        await app.StartAsync(timeout.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("ollama-llama3-2", timeout.Token);

        Assert.Empty(ollama.Pulls);
        Assert.True(ollama.TagRequests >= 1);
        Assert.DoesNotContain(states.DistinctStates(), s => s.StartsWith("Downloading", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AModelWithoutATagIsPresentWhenTheServerListsItsLatestTag()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var ollama = await FakeOllamaServer.StartAsync(["llama3.2:1b", "nomic-embed-text:latest"], ct);
        await using var app = await BuildAsync(ollama, "nomic-embed-text", ct);
        using var timeout = Timeout(ct);

        await app.StartAsync(timeout.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("ollama-nomic-embed-text", timeout.Token);

        Assert.Empty(ollama.Pulls);
    }

    [Fact]
    public async Task APullErrorMakesTheModelFailToStartWithTheServersMessage()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var ollama = await FakeOllamaServer.StartAsync([], ct);
        ollama.FailPull("llama3.2:1b", "pull model manifest: file does not exist");
        await using var app = await BuildAsync(ollama, "llama3.2:1b", ct);
        using var timeout = Timeout(ct);

        await app.StartAsync(timeout.Token);
        var failed = (await app.ResourceNotifications.WaitForResourceAsync("ollama-llama3-2", e => KnownResourceStates.IsStopped(e.Snapshot.State), timeout.Token)).Snapshot;

        Assert.Equal(KnownResourceStates.FailedToStart, failed.State);
        Assert.Equal("Pulling llama3.2:1b failed: pull model manifest: file does not exist", failed.StateReason);
        Assert.Single(ollama.Pulls);
        var exception = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.ResourceNotifications.WaitForResourceHealthyAsync("ollama-llama3-2", timeout.Token));
        Assert.Contains("pull model manifest: file does not exist", exception.Message, StringComparison.Ordinal);
    }

    private static async Task<DistributedApplication> BuildAsync(FakeOllamaServer ollama, string model, CancellationToken cancellationToken)
    {
        var builder = DistributedApplicationTestingBuilder.Create();
        builder.Configuration["ConnectionStrings:ollama"] = $"Endpoint={Endpoint(ollama)}";
        builder.ApplicationBuilder.AddOllama("ollama").AddModel(model);
        return await builder.BuildAsync(cancellationToken);
    }

    // The existing instance's endpoint as an operator writes it: the fake's origin, without a trailing slash.
    private static string Endpoint(FakeOllamaServer ollama) => ollama.BaseAddress.GetLeftPart(UriPartial.Authority);

    private static CancellationTokenSource Timeout(CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(WaitLimit);
        return timeout;
    }

    /// <summary>Every state one resource passes through, recorded from before the application starts.</summary>
    private sealed class StateRecorder : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentQueue<string> _states = new();
        private Task _reading = Task.CompletedTask;

        public static StateRecorder Start(ResourceNotificationService notifications, string resourceName)
        {
            var recorder = new StateRecorder();

            // Called directly, not on the thread pool: WatchAsync subscribes before this returns, so no change is missed.
            recorder._reading = recorder.ReadAsync(notifications, resourceName);
            return recorder;
        }

        /// <summary>The states in order, each change once (health updates keep the state).</summary>
        public List<string> DistinctStates()
        {
            var distinct = new List<string>();
            foreach (var state in _states)
            {
                if (distinct.Count == 0 || distinct[^1] != state)
                {
                    distinct.Add(state);
                }
            }

            return distinct;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _reading;
            _stop.Dispose();
        }

        private async Task ReadAsync(ResourceNotificationService notifications, string resourceName)
        {
            try
            {
                await foreach (var resourceEvent in notifications.WatchAsync(_stop.Token))
                {
                    if (resourceEvent.ResourceName == resourceName)
                    {
                        _states.Enqueue(resourceEvent.Snapshot.State);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Disposed.
            }
        }
    }
}
