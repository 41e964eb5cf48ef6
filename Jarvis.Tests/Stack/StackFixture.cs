using System.Collections.Concurrent;
using System.Diagnostics;
using Jarvis.Hosting;
using Jarvis.Hosting.Orchestration;
using Jarvis.Hosting.Testing;
using Jarvis.Tests.Infrastructure.Otlp;
using Jarvis.Tests.Memory;

namespace Jarvis.Tests.Stack;

/// <summary>
/// The whole-stack tests boot real processes on a small machine: they run one at a time, after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StackTestGroup
{
    public const string Name = "Stack";
}

/// <summary>Bounds every wait of the stack tests, so a bug fails a test instead of hanging the run.</summary>
public static class StackTimeout
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public static CancellationTokenSource Start(CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Limit);
        return timeout;
    }
}

/// <summary>A resource event as a watcher received it, with when it arrived.</summary>
public sealed record RecordedEvent(int Sequence, TimeSpan At, ResourceEvent Event)
{
    public ResourceSnapshot Snapshot => Event.Snapshot;
}

/// <summary>
/// The real app host (<c>Jarvis.AppHost</c>'s Program, run by the testing builder), booted once for the tests of a
/// class, with every resource event recorded from before the start. Disposing it stops every process.
/// </summary>
public abstract class AppHostFixture : IAsyncLifetime
{
    public static readonly string[] Services = ["api", "memory", "voice"];

    /// <summary>A container CLI that does not exist, so Qdrant and Ollama cannot run (as on CI) on any machine.</summary>
    public const string NoContainerEngine = "jarvis-tests-no-container-engine";

    private ResourceEventRecorder? _recorder;

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>Every resource event since before the start, in the order the notification service published them.</summary>
    public IReadOnlyList<RecordedEvent> Events => _recorder?.Events ?? [];

    public ResourceSnapshot Snapshot(string resource) =>
        App.ResourceNotifications.GetSnapshot(resource) ?? throw new InvalidOperationException($"No resource '{resource}'.");

    /// <summary>The environment the resource's current process started with, read from /proc.</summary>
    public Dictionary<string, string> ProcessEnvironment(string resource) =>
        LinuxProcesses.ReadEnvironment(Snapshot(resource).ProcessId ?? throw new InvalidOperationException($"'{resource}' has no process: {Snapshot(resource)}"));

    public virtual async ValueTask InitializeAsync()
    {
        using var timeout = StackTimeout.Start(CancellationToken.None);
        await BeforeBootAsync(timeout.Token);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Jarvis_AppHost>(timeout.Token);

        // The same stack on every machine: no real Ollama is probed, and no container engine is used even where one runs.
        builder.Configuration["AppHost:LocalOllamaUrl"] = "http://127.0.0.1:1";
        builder.Configuration["AppHost:ContainerRuntime"] = NoContainerEngine;
        Configure(builder);
        App = await builder.BuildAsync(timeout.Token);

        _recorder = new ResourceEventRecorder(App.ResourceNotifications);
        await App.StartAsync(timeout.Token);
        foreach (var project in Services)
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(project, timeout.Token);
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        if (_recorder is not null)
        {
            await _recorder.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    protected virtual Task BeforeBootAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected abstract void Configure(DistributedApplicationTestingBuilder builder);
}

/// <summary>Records every resource event from its creation on, in the order the notification service published them.</summary>
public sealed class ResourceEventRecorder : IAsyncDisposable
{
    private readonly ConcurrentQueue<RecordedEvent> _events = new();
    private readonly CancellationTokenSource _watching = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Task _recording;

    public ResourceEventRecorder(ResourceNotificationService notifications)
    {
        // The first MoveNextAsync registers the watcher synchronously, so nothing published after this is missed.
        var events = notifications.WatchAsync(_watching.Token).GetAsyncEnumerator(_watching.Token);
        _recording = RecordAsync(events, events.MoveNextAsync());
    }

    public IReadOnlyList<RecordedEvent> Events => [.. _events];

    /// <summary>The states a resource went through, for a failure message: <c>Starting, Running, Running/Healthy…</c>.</summary>
    public string History(string resource) => string.Join(", ", Events
        .Where(e => e.Event.ResourceName == resource)
        .Select(e => $"#{e.Sequence} {e.Snapshot.State}{(e.Snapshot.HealthStatus is { } health ? "/" + health : "")}"));

    public async ValueTask DisposeAsync()
    {
        await _watching.CancelAsync();
        await _recording;
        _watching.Dispose();
    }

    private async Task RecordAsync(IAsyncEnumerator<ResourceEvent> events, ValueTask<bool> next)
    {
        try
        {
            while (await next)
            {
                _events.Enqueue(new RecordedEvent(_events.Count, _clock.Elapsed, events.Current));
                next = events.MoveNextAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            await events.DisposeAsync();
        }
    }
}

/// <summary>
/// The app host with the settings a developer gives it: the dashboard's OTLP/HTTP endpoint and API key (a real OTLP
/// receiver here), and an existing Qdrant through <c>ConnectionStrings:qdrant</c>.
/// </summary>
public sealed class ConfiguredStackFixture : AppHostFixture
{
    public const string ExistingQdrantKey = "existing-qdrant-key";

    /// <summary>A Qdrant that follows the REST spec, standing in for the user's existing server.</summary>
    public FakeQdrantServer Qdrant { get; private set; } = null!;

    /// <summary>The connection string of the existing Qdrant, as a user would configure it.</summary>
    public string ExistingQdrant => $"Endpoint={Qdrant.BaseAddress.ToString().TrimEnd('/')};Key={ExistingQdrantKey}";
    public const string OtlpApiKey = "stack-otlp-key";

    public OtlpReceiver Otlp { get; private set; } = null!;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Otlp is not null)
        {
            await Otlp.DisposeAsync();
        }

        if (Qdrant is not null)
        {
            await Qdrant.DisposeAsync();
        }
    }

    protected override async Task BeforeBootAsync(CancellationToken cancellationToken)
    {
        Otlp = await OtlpReceiver.StartAsync(cancellationToken, OtlpApiKey);
        Qdrant = await FakeQdrantServer.StartAsync(ExistingQdrantKey, cancellationToken);
    }

    protected override void Configure(DistributedApplicationTestingBuilder builder)
    {
        builder.Configuration["AppHost:DashboardOtlpHttpEndpoint"] = Otlp.HttpEndpoint.ToString();
        builder.Configuration["AppHost:OtlpApiKey"] = OtlpApiKey;
        builder.Configuration["ConnectionStrings:qdrant"] = ExistingQdrant;
    }
}

/// <summary>The app host with nothing configured: no existing Qdrant or Ollama, and the dashboard switched off.</summary>
public sealed class BareStackFixture : AppHostFixture
{
    protected override void Configure(DistributedApplicationTestingBuilder builder)
    {
        builder.Configuration["Dashboard:Enabled"] = "false";
    }
}
