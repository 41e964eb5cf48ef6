using System.Net;
using System.Text.Json;
using Jarvis.ServiceDefaults.Shutdown;
using Jarvis.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Jarvis.Tests.ServiceDefaults;

public sealed class HealthTests
{
    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(HttpClient client, string path, CancellationToken ct)
    {
        using var response = await client.GetAsync(path, ct);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.Clone();
        return (response.StatusCode, body);
    }

    private static JsonElement Check(JsonElement body, string name) =>
        body.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    [Fact]
    public async Task ReadinessReportsEveryCheckWithStatusDurationAndDescription()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var service = await TestService.StartAsync(ct, configure: builder => builder.Services.AddHealthChecks()
            .AddCheck("cache", () => HealthCheckResult.Degraded("cache is warming")));
        using var client = service.CreateClient();

        var (status, body) = await GetAsync(client, "/health", ct);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Degraded", body.GetProperty("status").GetString());
        var cache = Check(body, "cache");
        Assert.Equal("Degraded", cache.GetProperty("status").GetString());
        Assert.Equal("cache is warming", cache.GetProperty("description").GetString());
        Assert.True(cache.GetProperty("durationMs").GetDouble() >= 0);
        Assert.Equal("Healthy", Check(body, "self").GetProperty("status").GetString());
        Assert.Equal("Healthy", Check(body, "draining").GetProperty("status").GetString());
    }

    [Fact]
    public async Task UnhealthyCheckFailsReadinessButNotLiveness()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var service = await TestService.StartAsync(ct, configure: builder => builder.Services.AddHealthChecks()
            .AddCheck("database", () => HealthCheckResult.Unhealthy("database unreachable")));
        using var client = service.CreateClient();

        var (readiness, readinessBody) = await GetAsync(client, "/health", ct);
        var (liveness, livenessBody) = await GetAsync(client, "/alive", ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness);
        Assert.Equal("Unhealthy", readinessBody.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, liveness);
        Assert.Equal(["self"], livenessBody.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task HungCheckTimesOutInsteadOfHangingTheProbe()
    {
        var ct = TestContext.Current.CancellationToken;
        var never = new TaskCompletionSource<HealthCheckResult>();
        await using var service = await TestService.StartAsync(
            ct,
            settings: new Dictionary<string, string?> { ["Health:CheckTimeout"] = "00:00:00.300" },
            configure: builder => builder.Services.AddHealthChecks()
                .AddAsyncCheck("hung", _ => never.Task)); // ignores its cancellation token
        using var client = service.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(15);

        var (status, body) = await GetAsync(client, "/health", ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var hung = Check(body, "hung");
        Assert.Equal("Unhealthy", hung.GetProperty("status").GetString());
        Assert.Equal("Timed out after 0.3 s.", hung.GetProperty("description").GetString());
    }

    [Fact]
    public async Task RegistrationTimeoutWinsOverTheDefault()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var service = await TestService.StartAsync(ct, configure: builder => builder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration("slow", _ => new DelegateCheck(async token =>
            {
                await Task.Delay(Timeout.Infinite, token);
                return HealthCheckResult.Healthy();
            }), HealthStatus.Degraded, null, TimeSpan.FromMilliseconds(200))));
        using var client = service.CreateClient();

        var (status, body) = await GetAsync(client, "/health", ct);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Degraded", Check(body, "slow").GetProperty("status").GetString());
        Assert.Equal("Timed out after 0.2 s.", Check(body, "slow").GetProperty("description").GetString());
    }

    [Fact]
    public async Task DescriptionsNeverCarrySecrets()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var service = await TestService.StartAsync(ct, configure: builder => builder.Services.AddHealthChecks()
            .AddCheck("qdrant", () => HealthCheckResult.Unhealthy("cannot reach Endpoint=http://qdrant:6333;Key=qdrant-secret")));
        using var client = service.CreateClient();

        using var response = await client.GetAsync("/health", ct);
        var text = await response.Content.ReadAsStringAsync(ct);

        Assert.DoesNotContain("qdrant-secret", text, StringComparison.Ordinal);
        Assert.Contains("Key=***", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadinessTurnsUnhealthyAsSoonAsTheHostBeginsToStop()
    {
        var ct = TestContext.Current.CancellationToken;
        var release = new TaskCompletionSource();
        await using var service = await TestService.StartAsync(ct, configure: builder =>
        {
            builder.Services.AddSingleton(release);
            builder.Services.AddDrainParticipant<BlockingDrain>();
        });
        using var client = service.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "/health", ct)).Status);

        var stopping = service.App.StopAsync(ct);

        var (status, body) = await GetAsync(client, "/health", ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var draining = Check(body, "draining");
        Assert.Equal("Unhealthy", draining.GetProperty("status").GetString());
        Assert.StartsWith("draining", draining.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "/alive", ct)).Status);
        Assert.True(service.App.Services.GetRequiredService<DrainState>().IsDraining);

        release.SetResult();
        await stopping;
    }

    private sealed class DelegateCheck(Func<CancellationToken, Task<HealthCheckResult>> check) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            check(cancellationToken);
    }

    private sealed class BlockingDrain(TaskCompletionSource release) : IDrainParticipant
    {
        public Task DrainAsync(CancellationToken cancellationToken) => release.Task.WaitAsync(cancellationToken);
    }
}
