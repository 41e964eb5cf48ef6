using System.Net;
using Jarvis.Hosting.Orchestration;
using Jarvis.Hosting.Testing;
using Jarvis.Tests.Infrastructure;
using Jarvis.Tests.Infrastructure.Otlp;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Jarvis.Tests.Stack;

/// <summary>
/// The real app host booted once, with the dashboard's OTLP endpoint (a real receiver) and an existing Qdrant
/// configured: what each service process is given, what it sends, and the order it starts in.
/// </summary>
[Collection(StackTestGroup.Name)]
public sealed class AppHostStackTests(ConfiguredStackFixture stack) : IClassFixture<ConfiguredStackFixture>
{
    [Fact]
    public async Task EveryProjectIsHealthy_QdrantIsTheConfiguredInstance_AndTheApiAnswersHealth()
    {
        var ct = TestContext.Current.CancellationToken;
        foreach (var service in AppHostFixture.Services)
        {
            var snapshot = stack.Snapshot(service);
            Assert.Equal(KnownResourceStates.Running, snapshot.State);
            Assert.Equal(HealthStatus.Healthy, snapshot.HealthStatus);
            Assert.NotNull(snapshot.ProcessId);
            Assert.NotNull(snapshot.StartedAt);
        }

        var qdrant = stack.Snapshot("qdrant");
        Assert.Equal(KnownResourceStates.Running, qdrant.State);
        Assert.Equal(HealthStatus.Healthy, qdrant.HealthStatus);
        Assert.Equal("using ConnectionStrings:qdrant", qdrant.StateReason);

        using var client = stack.App.CreateHttpClient("api");
        using var response = await client.GetAsync("/health", ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void ApiProcessGetsMemoryAndVoiceEndpointsAndTheGeneratedApiKey()
    {
        var environment = stack.ProcessEnvironment("api");
        var memoryUrl = Assert.Single(stack.Snapshot("memory").Urls);
        var voiceUrl = Assert.Single(stack.Snapshot("voice").Urls);

        Assert.Equal(memoryUrl, environment["services__memory__http__0"]);
        Assert.Equal(memoryUrl, environment["MEMORY_HTTP"]);
        Assert.Equal(voiceUrl, environment["services__voice__http__0"]);
        Assert.Equal(voiceUrl, environment["VOICE_HTTP"]);
        Assert.Equal(new Uri(memoryUrl), stack.App.GetEndpoint("memory"));
        Assert.Equal(Assert.Single(stack.Snapshot("api").Urls), environment["ASPNETCORE_URLS"]);
        Assert.Matches("^[A-Za-z0-9]{22}$", environment["Jarvis__ApiKey"]);

        // Ollama cannot run here, so the llm reference is left out rather than pointing at nothing.
        Assert.DoesNotContain(environment.Keys, key => key.StartsWith("ConnectionStrings__ollama", StringComparison.Ordinal));
    }

    [Fact]
    public void MemoryProcessGetsTheConfiguredQdrantConnectionStrings()
    {
        var environment = stack.ProcessEnvironment("memory");

        Assert.Equal(stack.ExistingQdrant, environment["ConnectionStrings__qdrant"]);
        Assert.Equal(stack.ExistingQdrant, environment["ConnectionStrings__qdrant_http"]);
    }

    [Theory]
    [InlineData("api")]
    [InlineData("memory")]
    [InlineData("voice")]
    public void EveryServiceGetsItsOpenTelemetrySettings(string service)
    {
        var environment = stack.ProcessEnvironment(service);

        Assert.Equal(service, environment["OTEL_SERVICE_NAME"]);
        Assert.Matches("^service\\.instance\\.id=[0-9a-f]{32}$", environment["OTEL_RESOURCE_ATTRIBUTES"]);
        Assert.Equal("1000", environment["OTEL_BSP_SCHEDULE_DELAY"]);
        Assert.Equal("1000", environment["OTEL_BLRP_SCHEDULE_DELAY"]);
        Assert.Equal(stack.Otlp.HttpEndpoint.ToString().TrimEnd('/'), environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("http/protobuf", environment["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        Assert.Equal($"x-otlp-api-key={ConfiguredStackFixture.OtlpApiKey}", environment["OTEL_EXPORTER_OTLP_HEADERS"]);
    }

    [Fact]
    public void EveryServiceHasItsOwnInstanceId()
    {
        var instances = AppHostFixture.Services.Select(s => stack.ProcessEnvironment(s)["OTEL_RESOURCE_ATTRIBUTES"]).ToList();

        Assert.Equal(instances.Count, instances.Distinct().Count());
    }

    [Fact]
    public void SnapshotEnvironmentMasksTheApiKeyAndTheOtlpHeaders()
    {
        var environment = stack.Snapshot("api").Environment;
        var apiKey = stack.ProcessEnvironment("api")["Jarvis__ApiKey"];

        var key = Assert.Single(environment, v => v.Name == "Jarvis__ApiKey");
        Assert.Equal("******", key.Value);
        Assert.True(key.IsSecret);
        var headers = Assert.Single(environment, v => v.Name == "OTEL_EXPORTER_OTLP_HEADERS");
        Assert.Equal("******", headers.Value);
        Assert.DoesNotContain(environment, v => v.Value.Contains(apiKey, StringComparison.Ordinal));
        Assert.DoesNotContain(environment, v => v.Value.Contains(ConfiguredStackFixture.OtlpApiKey, StringComparison.Ordinal));

        // Values that are no secret are shown as they are.
        Assert.Contains(environment, v => v.Name == "OTEL_SERVICE_NAME" && v.Value == "api" && !v.IsSecret);
    }

    /// <summary>An existing Qdrant's connection string carries its API key, so the snapshot (what a dashboard shows) masks it.</summary>
    [Fact]
    public void SnapshotEnvironmentMasksTheExistingQdrantConnectionString()
    {
        var environment = stack.Snapshot("memory").Environment;

        foreach (var name in (string[])["ConnectionStrings__qdrant", "ConnectionStrings__qdrant_http"])
        {
            var variable = Assert.Single(environment, v => v.Name == name);
            Assert.True(variable.IsSecret, $"{name} holds Qdrant's API key but is not marked secret: '{variable.Value}'.");
            Assert.Equal("******", variable.Value);
        }
    }

    [Fact]
    public async Task TelemetryOfTheApiReachesTheDashboardEndpointWithTheApiKey()
    {
        var ct = TestContext.Current.CancellationToken;
        using var timeout = StackTimeout.Start(ct);
        var instance = stack.ProcessEnvironment("api")["OTEL_RESOURCE_ATTRIBUTES"]["service.instance.id=".Length..];
        using var client = stack.App.CreateHttpClient("api");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/stack-telemetry-probe");
        request.Headers.Add("X-Request-ID", "stack-telemetry-1");

        using var response = await client.SendAsync(request, timeout.Token);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var span = await Eventually.FindAsync(
            () => stack.Otlp.Spans.FirstOrDefault(s => s.Resource == "api" && s.Attribute("request_id") == "stack-telemetry-1"),
            "the api's server span", timeout.Token, StackTimeout.Limit);
        var log = await Eventually.FindAsync(
            () => stack.Otlp.Logs.FirstOrDefault(l => l.Resource == "api" && l.Attribute("request_id") == "stack-telemetry-1"),
            "a log record of the api's request", timeout.Token, StackTimeout.Limit);

        Assert.Equal("/stack-telemetry-probe", span.Attribute("url.path"));
        Assert.Equal(instance, stack.Otlp.Repository.GetResourceAttributes("api").Value("service.instance.id"));
        Assert.Equal(span.TraceId, log.TraceId);
    }

    [Fact]
    public void ApiStartsOnlyOnceMemoryIsHealthy()
    {
        var events = stack.Events;
        var memoryHealthy = events.First(e => e.Event.ResourceName == "memory"
            && e.Snapshot.State == KnownResourceStates.Running && e.Snapshot.HealthStatus == HealthStatus.Healthy);
        var apiWaiting = events.First(e => e.Event.ResourceName == "api" && e.Snapshot.State == KnownResourceStates.Waiting);
        var apiStarting = events.First(e => e.Event.ResourceName == "api" && e.Snapshot.State == KnownResourceStates.Starting);
        var apiProcess = events.First(e => e.Event.ResourceName == "api" && e.Snapshot.ProcessId is not null);

        Assert.True(apiWaiting.Sequence < memoryHealthy.Sequence, $"api should wait while memory starts: waiting #{apiWaiting.Sequence}, memory healthy #{memoryHealthy.Sequence}.");
        Assert.True(memoryHealthy.Sequence < apiStarting.Sequence, $"api left Waiting (#{apiStarting.Sequence}, {apiStarting.At}) before memory was healthy (#{memoryHealthy.Sequence}, {memoryHealthy.At}).");
        Assert.True(memoryHealthy.At <= apiProcess.At);
        Assert.True(stack.Snapshot("memory").StartedAt < apiProcess.Snapshot.StartedAt);

        // Nothing of the api ran before then: no event before memory's health shows an api process.
        Assert.DoesNotContain(events.TakeWhile(e => e != memoryHealthy), e => e.Event.ResourceName == "api" && e.Snapshot.ProcessId is not null);
    }
}
