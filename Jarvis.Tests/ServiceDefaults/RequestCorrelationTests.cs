using System.Net.Http.Json;
using Jarvis.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jarvis.Tests.ServiceDefaults;

public sealed class RequestCorrelationTests
{
    private static void MapPing(WebApplication app) => app.MapGet("/ping", () => "pong");

    private static async Task<HttpResponseMessage> GetWithIdAsync(HttpClient client, string path, string? requestId, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (requestId is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Request-ID", requestId);
        }

        return await client.SendAsync(request, ct);
    }

    [Theory]
    [InlineData("abc-123")]
    [InlineData("svc:api_1.2-x")]
    public async Task SafeIncomingRequestIdIsKeptAndEchoed(string requestId)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var service = await TestService.StartAsync(ct, MapPing);
        using var client = service.CreateClient();

        using var response = await GetWithIdAsync(client, "/ping", requestId, ct);

        Assert.Equal(requestId, response.Headers.GetValues("X-Request-ID").Single());
        Assert.Matches(@"^\d+(\.\d+)?ms$", response.Headers.GetValues("X-Response-Time").Single());
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    [InlineData("<script>")]
    [InlineData(null)]
    public async Task UnsafeOrMissingRequestIdIsReplaced(string? requestId)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var service = await TestService.StartAsync(ct, MapPing);
        using var client = service.CreateClient();

        using var response = await GetWithIdAsync(client, "/ping", requestId, ct);

        var echoed = response.Headers.GetValues("X-Request-ID").Single();
        Assert.NotEqual(requestId, echoed);
        Assert.Matches("^[0-9a-f]{32}$", echoed);
    }

    [Fact]
    public async Task OverlongRequestIdIsReplaced()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var service = await TestService.StartAsync(ct, MapPing);
        using var client = service.CreateClient();

        using var atLimit = await GetWithIdAsync(client, "/ping", new string('a', 128), ct);
        using var overLimit = await GetWithIdAsync(client, "/ping", new string('a', 129), ct);

        Assert.Equal(new string('a', 128), atLimit.Headers.GetValues("X-Request-ID").Single());
        Assert.Equal(32, overLimit.Headers.GetValues("X-Request-ID").Single().Length);
    }

    [Fact]
    public async Task EveryRequestWritesOneRequestServedRecordInItsScope()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var service = await TestService.StartAsync(ct, app => app.MapGet("/users/{id}", (string id, HttpContext context, ILogger<RequestCorrelationTests> logger) =>
        {
            logger.LogInformation("before the user is known");
            context.SetUserId(id);
            logger.LogInformation("after the user is known");
            return Results.NotFound();
        }));
        using var client = service.CreateClient();

        using var response = await GetWithIdAsync(client, "/users/alice", "served-1", ct);

        var records = service.Logs.Records.Where(r => Equals(r.Field("request_id"), "served-1")).ToList();
        var served = Assert.Single(records, r => r.Message.StartsWith("request served", StringComparison.Ordinal));
        Assert.Equal(404, served.Field("status_code"));
        Assert.IsType<double>(served.Field("latency_ms"));
        Assert.Equal("GET", served.Field("method"));
        Assert.Equal("/users/alice", served.Field("path"));
        Assert.Equal("127.0.0.1", served.Field("client_ip"));
        Assert.Equal(LogLevel.Information, served.Level);

        Assert.Null(Assert.Single(records, r => r.Message == "before the user is known").Field("user_id"));
        Assert.Equal("alice", Assert.Single(records, r => r.Message == "after the user is known").Field("user_id"));
        Assert.Equal("alice", served.Field("user_id"));
    }

    [Fact]
    public async Task SlowRequestIsLoggedAsWarning()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var service = await TestService.StartAsync(
            ct,
            app => app.MapGet("/slow", async (CancellationToken token) =>
            {
                await Task.Delay(150, token);
                return "done";
            }),
            new Dictionary<string, string?> { ["RequestLogging:SlowRequestThreshold"] = "00:00:00.050" });
        using var client = service.CreateClient();

        using var slow = await GetWithIdAsync(client, "/slow", "slow-1", ct);

        // The warning replaces the request's ordinary record: still exactly one record per request.
        var served = Assert.Single(service.Logs.Records, r => Equals(r.Field("request_id"), "slow-1") && r.Field("status_code") is not null);
        Assert.Equal(LogLevel.Warning, served.Level);
        Assert.StartsWith("slow request GET /slow 200", served.Message, StringComparison.Ordinal);
        Assert.True((double)served.Field("latency_ms")! >= 150);
    }

    [Fact]
    public async Task ProblemDetailsCarryTheRequestId()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var service = await TestService.StartAsync(ct, app => app.MapGet("/bad", () => Results.Problem("bad input", statusCode: 400)));
        using var client = service.CreateClient();

        using var response = await GetWithIdAsync(client, "/bad", "problem-1", ct);
        var problem = await response.Content.ReadFromJsonAsync<Dictionary<string, object>>(ct);

        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("problem-1", problem!["requestId"].ToString());
    }

    [Fact]
    public async Task RequestIdFlowsToDownstreamServicesAndNeverCrossesBetween200ParallelRequests()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var downstream = await TestService.StartAsync(ct, app => app.MapGet("/echo", async (HttpContext context, ILogger<RequestCorrelationTests> logger) =>
        {
            await Task.Delay(Random.Shared.Next(0, 20), context.RequestAborted);
            logger.LogInformation("downstream handled {Tag}", context.Request.Query["tag"].ToString());
            return context.Request.Headers["X-Request-ID"].ToString();
        }));

        await using var upstream = await TestService.StartAsync(
            ct,
            app => app.MapGet("/relay", async (string tag, HttpContext context, IHttpClientFactory clients, ILogger<RequestCorrelationTests> logger) =>
            {
                await Task.Delay(Random.Shared.Next(0, 20), context.RequestAborted);
                logger.LogInformation("upstream handling {Tag}", tag);
                var client = clients.CreateClient("downstream");
                var seenDownstream = await client.GetStringAsync($"/echo?tag={tag}", context.RequestAborted);
                logger.LogInformation("upstream relayed {Tag}", tag);
                return new RelayResult(context.GetRequestId(), seenDownstream);
            }),
            new Dictionary<string, string?> { ["services:downstream:http:0"] = downstream.BaseAddress.ToString() },
            builder => builder.Services.AddHttpClient("downstream", c => c.BaseAddress = new Uri("http://downstream")));
        using var client = upstream.CreateClient();

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            var requestId = $"parallel-{i}";
            using var response = await GetWithIdAsync(client, $"/relay?tag=tag-{i}", requestId, ct);
            response.EnsureSuccessStatusCode();
            return (RequestId: requestId, Tag: $"tag-{i}", Result: (await response.Content.ReadFromJsonAsync<RelayResult>(ct))!);
        }));

        foreach (var (requestId, tag, result) in results)
        {
            Assert.Equal(requestId, result.RequestId);
            Assert.Equal(requestId, result.Downstream);
        }

        // Every record a handler wrote is in the scope of its own request, upstream and downstream alike.
        var tagged = upstream.Logs.Records.Concat(downstream.Logs.Records).Where(r => r.State.ContainsKey("Tag")).ToList();
        Assert.Equal(600, tagged.Count);
        Assert.All(tagged, record => Assert.Equal(
            "parallel-" + ((string)record.State["Tag"]!)["tag-".Length..],
            record.Field("request_id")));
    }

    private sealed record RelayResult(string RequestId, string Downstream);
}
