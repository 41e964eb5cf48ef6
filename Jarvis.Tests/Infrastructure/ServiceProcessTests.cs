using System.Net;
using System.Text.Json;

namespace Jarvis.Tests.Infrastructure;

/// <summary>Each service, built and started as its own process the way the AppHost and a container run it.</summary>
public sealed class ServiceProcessTests
{
    [Theory]
    [InlineData("Jarvis.Api")]
    [InlineData("Jarvis.Memory")]
    [InlineData("Jarvis.Voice")]
    public async Task ServiceAnswersHealthAndLivenessAndStopsCleanlyOnSigterm(string project)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var service = ServiceProcess.Start(project, "Production");
        await service.WaitUntilHealthyAsync(ct);
        using var client = service.CreateClient();

        using var health = await client.GetAsync("/health", ct);
        using var alive = await client.GetAsync("/alive", ct);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var checks = JsonDocument.Parse(await health.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("checks");
        Assert.Contains(checks.EnumerateArray(), c => c.GetProperty("name").GetString() == "self");
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);

        Assert.Equal(0, await service.TerminateAsync(ct));
    }

    [Fact]
    public async Task ProductionLogsAreOneJsonObjectPerLine()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var service = ServiceProcess.Start("Jarvis.Memory", "Production", new Dictionary<string, string> { ["OTEL_SERVICE_NAME"] = "memory" });
        await service.WaitUntilHealthyAsync(ct);
        using var client = service.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/nothing-here?api_key=secret123");
        request.Headers.Add("X-Request-ID", "json-log-1");

        using var response = await client.SendAsync(request, ct);
        await service.TerminateAsync(ct);

        var lines = service.Output.Where(l => l.Length > 0).ToList();
        Assert.NotEmpty(lines);
        var records = lines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.All(records, record =>
        {
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", record.GetProperty("ts").GetString());
            Assert.NotNull(record.GetProperty("lvl").GetString());
            Assert.NotNull(record.GetProperty("logger").GetString());
            Assert.NotNull(record.GetProperty("msg").GetString());
            Assert.Equal("memory", record.GetProperty("component").GetString());
        });

        var served = Assert.Single(records, r => r.TryGetProperty("request_id", out var id) && id.GetString() == "json-log-1" && r.TryGetProperty("status_code", out _));
        Assert.Equal(404, served.GetProperty("status_code").GetInt32());
        Assert.Equal(JsonValueKind.Number, served.GetProperty("latency_ms").ValueKind);
        Assert.Equal("GET", served.GetProperty("method").GetString());
        Assert.Equal("/nothing-here", served.GetProperty("path").GetString());
        Assert.Equal("127.0.0.1", served.GetProperty("client_ip").GetString());
        Assert.DoesNotContain(lines, line => line.Contains("secret123", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DevelopmentLogsAreReadableLines()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var service = ServiceProcess.Start("Jarvis.Voice", "Development");
        await service.WaitUntilHealthyAsync(ct);
        using var client = service.CreateClient();

        using var response = await client.GetAsync("/nothing-here", ct);
        await service.TerminateAsync(ct);

        var served = Assert.Single(service.Output, line => line.Contains("request served GET /nothing-here 404", StringComparison.Ordinal));
        Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3} info  ", served);
        Assert.DoesNotContain(service.Output, line => line.StartsWith('{'));
    }
}
