using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Jarvis.Api.Security;
using Jarvis.Tests.Api.Chat;
using Jarvis.Tests.Infrastructure;

namespace Jarvis.Tests.Api.Web;

/// <summary>The page's files with their security policy, what it is told (client config), and its telemetry (client events).</summary>
public sealed class WebPageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThePageIsServedAtTheRootWithAStrictPolicyAndNoKey()
    {
        await using var api = new ApiFactory();
        using var client = api.CreateClient();

        using var page = await client.GetAsync("/", Ct);
        page.EnsureSuccessStatusCode();
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal(SecurityHeaders.ContentSecurityPolicy, page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("script-src 'self';", SecurityHeaders.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", SecurityHeaders.ContentSecurityPolicy, StringComparison.Ordinal);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Contains("<script type=\"module\" src=\"js/app.js\"></script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html.Replace("https://www.w3.org", "", StringComparison.Ordinal), StringComparison.Ordinal);

        using var script = await client.GetAsync("/js/app.js", Ct);
        script.EnsureSuccessStatusCode();
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", script.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task TheClientConfigGivesTheDashboardUrlAndTheLimits()
    {
        await using var api = new ApiFactory(new Dictionary<string, string>
        {
            ["Jarvis:DashboardUrl"] = "http://localhost:15000/",
            ["Jarvis:Chat:MaxMessageLength"] = "1000",
            ["Voice:MaxAudioSeconds"] = "30",
        });
        using var client = api.CreateKeyedClient();

        var config = await client.GetFromJsonAsync<JsonElement>("/api/client-config", Ct);

        Assert.Equal("http://localhost:15000", config.GetProperty("dashboardUrl").GetString());
        Assert.Equal(1000, config.GetProperty("maxMessageLength").GetInt32());
        Assert.Equal(30, config.GetProperty("maxAudioSeconds").GetInt32());
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.CreateClient().GetAsync("/api/client-config", Ct)).StatusCode);

        await using var bare = new ApiFactory();
        using var bareClient = bare.CreateKeyedClient();
        Assert.Equal(JsonValueKind.Null, (await bareClient.GetFromJsonAsync<JsonElement>("/api/client-config", Ct)).GetProperty("dashboardUrl").ValueKind);
    }

    [Fact]
    public async Task ClientEventsAreRecordedAsLogsAndMetricsWithThePagesRequestIds()
    {
        await using var api = new ApiFactory();
        using var client = api.CreateKeyedClient();
        using var measurements = new MeasurementCollector(api.Services, "Jarvis.Api.Web");

        using var response = await client.PostAsJsonAsync("/api/client-events", new
        {
            events = new object[]
            {
                new { kind = "error", name = "TypeError", message = "x is undefined", stack = "at app.js:10", url = "http://localhost/js/app.js" },
                new { kind = "timing", name = "load", valueMs = 420.0 },
                new { kind = "timing", name = "first_token", valueMs = 85.0, requestId = "req-123" },
                new { kind = "timing", name = "made-up-name", valueMs = 1.0 },
            },
        }, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, measurements.Measurements.Where(m => m.Instrument == "client_errors_total").Sum(m => m.Value));
        Assert.Equal(
            [(0.42, "load"), (0.085, "first_token"), (0.001, "other")],
            measurements.Measurements.Where(m => m.Instrument == "client_timing_seconds").Select(m => (m.Value, m.Tags["name"] as string)));

        var error = api.Logs.Records.Single(r => r.Message.StartsWith("client error TypeError", StringComparison.Ordinal));
        Assert.Contains("x is undefined", error.Message, StringComparison.Ordinal);
        Assert.Equal(response.Headers.GetValues("X-Request-ID").Single(), error.Field("request_id"));
        Assert.Contains(api.Logs.Records, r => r.Message.StartsWith("client timing first_token 85 ms", StringComparison.Ordinal) && r.Message.Contains("req-123", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BadClientEventsAreProblemsAndTheRouteIsLimited()
    {
        await using var api = new ApiFactory();
        using var client = api.CreateKeyedClient();

        using var tooMany = await client.PostAsJsonAsync("/api/client-events", new { events = Enumerable.Range(0, 21).Select(_ => new { kind = "timing", name = "load", valueMs = 1 }) }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        using var badKind = await client.PostAsJsonAsync("/api/client-events", new { events = new[] { new { kind = "crash", name = "x" } } }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badKind.StatusCode);
        Assert.Contains("events[0].kind", await badKind.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        using var huge = await client.PostAsync("/api/client-events", new StringContent(new string('x', 20_000), Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        Assert.Equal("application/problem+json", huge.Content.Headers.ContentType?.MediaType);
        using var nullEvent = await client.PostAsync("/api/client-events", new StringContent("{\"events\":[null]}", Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, nullEvent.StatusCode);
        using var notJson = await client.PostAsync("/api/client-events", new StringContent("{oops", Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.CreateClient().PostAsJsonAsync("/api/client-events", new { events = Array.Empty<object>() }, Ct)).StatusCode);

        // 30 posts a minute; five were taken above.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 26; i++)
        {
            using var post = await client.PostAsJsonAsync("/api/client-events", new { events = new[] { new { kind = "timing", name = "load", valueMs = 1 } } }, Ct);
            statuses.Add(post.StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.Equal(25, statuses.Count(s => s == HttpStatusCode.Accepted));
    }
}
