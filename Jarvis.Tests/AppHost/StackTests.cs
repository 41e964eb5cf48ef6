using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Jarvis.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Jarvis.Tests.AppHost;

/// <summary>The whole stack as the app host composes it without containers, addressed by resource name.</summary>
[Collection(StackTestGroup.Name)]
public sealed class StackTests(StackFixture stack)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void ApiMemoryAndVoiceAreRunningAndHealthy_AndNoContainerIsInTheModel()
    {
        var notifications = stack.App.Services.GetRequiredService<ResourceNotificationService>();
        foreach (var service in StackFixture.Services)
        {
            Assert.True(notifications.TryGetCurrentState(service, out var resource), $"{service} has no state");
            Assert.Equal(KnownResourceStates.Running, resource.Snapshot.State?.Text);
            Assert.Equal(HealthStatus.Healthy, resource.Snapshot.HealthStatus);
        }

        var model = stack.App.Services.GetRequiredService<DistributedApplicationModel>();
        Assert.Empty(model.Resources.OfType<ContainerResource>());
    }

    [Fact]
    public async Task AChatTurnThroughTheApiRecallsAMemoryStoredThroughMemory()
    {
        using var memory = stack.App.CreateHttpClient("memory");
        var stored = await memory.PostAsJsonAsync("/api/memories", new { userId = "stack-alice", text = "my sister lives in Lyon" }, Ct);
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);

        using var api = stack.CreateApiClient();
        var response = await api.PostAsJsonAsync("/api/chat", new { message = "What do you know about my sister?", userId = "stack-alice" }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("llm", body.GetProperty("responder").GetString());
        Assert.Equal("The sky is blue.", body.GetProperty("reply").GetString());

        // Memory recalled it (embedded by the model through Ollama) and the api put it in the model's instructions.
        var prompt = stack.Ollama.ChatRequests
            .Select(r => r.Json["messages"]!.AsArray())
            .Single(messages => messages[^1]!["content"]!.GetValue<string>() == "What do you know about my sister?");
        Assert.Contains("my sister lives in Lyon", prompt[0]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(stack.Ollama.EmbedRequests, r => r.Inputs.Contains("my sister lives in Lyon"));
    }

    [Fact]
    public async Task TheApiRefusesATurnWithoutTheParameterApiKey()
    {
        using var api = stack.App.CreateHttpClient("api");

        var response = await api.PostAsJsonAsync("/api/chat", new { message = "hello", userId = "stack-bob" }, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ResourceLogsOfEachServiceAreReadable()
    {
        var logs = stack.App.Services.GetRequiredService<ResourceLoggerService>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));

        // Each service logs that Kestrel listens once it has started.
        var model = stack.App.Services.GetRequiredService<DistributedApplicationModel>();
        foreach (var service in StackFixture.Services)
        {
            var found = false;
            await foreach (var batch in logs.WatchAsync(model.Resources.Single(r => r.Name == service)).WithCancellation(timeout.Token))
            {
                if (batch.Any(line => line.Content.Contains("Now listening on", StringComparison.Ordinal)))
                {
                    found = true;
                    break;
                }
            }

            Assert.True(found, $"{service} wrote no start-up line to its console log");
        }
    }

    [Theory]
    [InlineData("api")]
    [InlineData("memory")]
    [InlineData("voice")]
    public void EveryServiceGetsItsTelemetrySettingsFromAspire(string service)
    {
        var environment = EnvironmentOf(service);

        Assert.Equal(service, environment["OTEL_SERVICE_NAME"]);
        Assert.StartsWith("http://", environment["OTEL_EXPORTER_OTLP_ENDPOINT"], StringComparison.Ordinal);
        Assert.Equal("grpc", environment["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        Assert.StartsWith("x-otlp-api-key=", environment["OTEL_EXPORTER_OTLP_HEADERS"], StringComparison.Ordinal);
    }

    [Fact]
    public void TheApiIsGivenMemoryAndVoiceByServiceDiscovery_AndItsModelOnTheExistingOllama()
    {
        var environment = EnvironmentOf("api");
        var ollama = stack.Ollama.BaseAddress.ToString().TrimEnd('/');

        Assert.Equal(stack.App.GetEndpoint("memory", "http").ToString().TrimEnd('/'), environment["services__memory__http__0"].TrimEnd('/'));
        Assert.Equal(stack.App.GetEndpoint("voice", "http").ToString().TrimEnd('/'), environment["services__voice__http__0"].TrimEnd('/'));
        Assert.Equal(StackFixture.ApiKey, environment["Jarvis__ApiKey"]);
        Assert.Equal($"Endpoint={ollama};Model=llama3.2:1b", environment["ConnectionStrings__ollama-llama3-2"].Replace(ollama + "/", ollama, StringComparison.Ordinal));
        Assert.DoesNotContain("ConnectionStrings__ollama-nomic-embed-text", environment.Keys);
        Assert.Equal("https://api.open-meteo.com/v1/forecast", environment["Jarvis__Skills__Weather__ForecastUrl"]);
        Assert.DoesNotContain("ConnectionStrings__homeassistant", environment.Keys);
        Assert.Equal("https://geocoding-api.open-meteo.com/v1/search", environment["Jarvis__Skills__Weather__GeocodingUrl"]);
        Assert.Contains("Model=nomic-embed-text", EnvironmentOf("memory")["ConnectionStrings__ollama-nomic-embed-text"], StringComparison.Ordinal);
    }

    /// <summary>What DCP gave the service's process, read from /proc.</summary>
    private Dictionary<string, string> EnvironmentOf(string service)
    {
        var notifications = stack.App.Services.GetRequiredService<ResourceNotificationService>();
        Assert.True(notifications.TryGetCurrentState(service, out var resource));
        return LinuxProcesses.ReadEnvironment(resource.ProcessId());
    }
}
