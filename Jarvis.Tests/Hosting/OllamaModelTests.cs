using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Eventing;
using Jarvis.Tests.Infrastructure.Ollama;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Jarvis.Tests.Hosting;

/// <summary>
/// A model of the Ollama integration is pulled once its server is ready, with the pull's progress as its state, and
/// is healthy once the server has it. The server is the spec-following fake, standing where the container would be.
/// </summary>
public sealed class OllamaModelTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AMissingModelIsPulledWhenTheServerIsReadyShowingItsProgressThenRuns()
    {
        await using var ollama = await FakeOllamaServer.StartAsync([], Ct);
        await using var app = Build(ollama, "llama3.2:1b", out var model);
        var states = await RecordStatesAsync(app, model);

        await app.Services.GetRequiredService<IDistributedApplicationEventing>().PublishAsync(new ResourceReadyEvent(model.Parent, app.Services), Ct);
        await WaitForStateAsync(app, model.Name, KnownResourceStates.Running);

        Assert.Equal("llama3.2:1b", Assert.Single(ollama.Pulls).Json["model"]!.GetValue<string>());
        Assert.Equal("Checking llama3.2:1b", states[0]);
        Assert.Equal("Downloading llama3.2:1b", states[1]);
        Assert.Contains(states, s => s.StartsWith("Downloading llama3.2:1b ", StringComparison.Ordinal) && s.EndsWith(" percent", StringComparison.Ordinal));
        Assert.Equal(KnownResourceStates.Running, states[^1]);
        Assert.Equal(HealthStatus.Healthy, (await CheckHealthAsync(app, model)).Status);
    }

    [Theory]
    [InlineData("llama3.2:1b", "llama3.2:1b")]
    [InlineData("nomic-embed-text:latest", "nomic-embed-text")]
    public async Task AModelTheServerListsIsNotPulled(string listed, string wanted)
    {
        await using var ollama = await FakeOllamaServer.StartAsync([listed], Ct);
        await using var app = Build(ollama, wanted, out var model);

        await app.Services.GetRequiredService<IDistributedApplicationEventing>().PublishAsync(new ResourceReadyEvent(model.Parent, app.Services), Ct);
        await WaitForStateAsync(app, model.Name, KnownResourceStates.Running);

        Assert.Empty(ollama.Pulls);
    }

    [Fact]
    public async Task APullErrorBecomesTheModelsStateAndItIsNotHealthy()
    {
        await using var ollama = await FakeOllamaServer.StartAsync([], Ct);
        ollama.FailPull("llama3.2:1b", "pull model manifest: file does not exist");
        await using var app = Build(ollama, "llama3.2:1b", out var model);

        await app.Services.GetRequiredService<IDistributedApplicationEventing>().PublishAsync(new ResourceReadyEvent(model.Parent, app.Services), Ct);
        var failed = await WaitForStateAsync(app, model.Name, s => s.Contains("file does not exist", StringComparison.Ordinal));

        Assert.Equal(KnownResourceStateStyles.Error, failed.Snapshot.State?.Style);
        Assert.NotEqual(HealthStatus.Healthy, (await CheckHealthAsync(app, model)).Status);
    }

    [Fact]
    public void ModelResourcesAreNamedAsTheToolkitNamesThem()
    {
        var builder = DistributedApplication.CreateBuilder();
        var ollama = builder.AddOllama("ollama");

        Assert.Equal("ollama-llama3-2", ollama.AddModel("llama3.2:1b").Resource.Name);
        Assert.Equal("ollama-phi3", ollama.AddModel("library/phi3:mini").Resource.Name);
        Assert.Equal(["llama3.2:1b", "library/phi3:mini"], ollama.Resource.Models);
    }

    /// <summary>An app with one Ollama server whose endpoint is the fake's, as DCP would allocate it for the container.</summary>
    private static DistributedApplication Build(FakeOllamaServer server, string modelName, out OllamaModelResource model)
    {
        var builder = DistributedApplication.CreateBuilder();
        var ollama = builder.AddOllama("ollama");
        model = ollama.AddModel(modelName).Resource;
        var endpoint = ollama.Resource.Annotations.OfType<EndpointAnnotation>().Single();
        endpoint.AllocatedEndpoint = new AllocatedEndpoint(endpoint, server.BaseAddress.Host, server.BaseAddress.Port);
        return builder.Build();
    }

    /// <summary>Every state the model goes through from now on, once the recorder has seen its current Waiting state.</summary>
    private static async Task<List<string>> RecordStatesAsync(DistributedApplication app, OllamaModelResource model)
    {
        var states = new List<string>();
        var watching = new TaskCompletionSource();
        var notifications = app.Services.GetRequiredService<ResourceNotificationService>();
        await notifications.PublishUpdateAsync(model, s => s with { State = KnownResourceStates.Waiting });
        _ = Task.Run(async () =>
        {
            await foreach (var update in notifications.WatchAsync(Ct))
            {
                if (update.Resource.Name != model.Name || update.Snapshot.State?.Text is not { } state)
                {
                    continue;
                }

                if (state == KnownResourceStates.Waiting)
                {
                    watching.TrySetResult();
                }
                else if (states.Count == 0 || states[^1] != state)
                {
                    states.Add(state);
                }
            }
        }, Ct);
        await watching.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        return states;
    }

    private static Task<ResourceEvent> WaitForStateAsync(DistributedApplication app, string resourceName, string state) =>
        WaitForStateAsync(app, resourceName, s => s == state);

    private static async Task<ResourceEvent> WaitForStateAsync(DistributedApplication app, string resourceName, Func<string, bool> state)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        return await app.Services.GetRequiredService<ResourceNotificationService>()
            .WaitForResourceAsync(resourceName, e => e.Snapshot.State?.Text is { } text && state(text), timeout.Token);
    }

    private static async Task<HealthReport> CheckHealthAsync(DistributedApplication app, OllamaModelResource model) =>
        await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == $"{model.Name}-{model.ModelName}-health", Ct);
}
