using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Jarvis.Tests.Api.Chat;

/// <summary>API key, browser tokens, rate limits, security headers and input limits of Jarvis.Api.</summary>
public sealed class ApiSecurityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WithoutAValidKeyChatIsA401ProblemAndHealthStaysOpen()
    {
        await using var api = new ApiFactory();
        using var client = api.CreateClient();

        var missing = await client.PostAsJsonAsync("/api/chat", new { message = "hello" }, Ct);
        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/chat") { Content = JsonContent.Create(new { message = "hello" }) };
        wrong.Headers.Add("X-API-Key", "not-the-key");
        var wrongResponse = await client.SendAsync(wrong, Ct);

        foreach (var response in new[] { missing, wrongResponse })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal(response.Headers.GetValues("X-Request-ID").Single(), problem.GetProperty("requestId").GetString());
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/alive", UriKind.Relative), Ct)).StatusCode);
        Assert.DoesNotContain(api.Logs.Records, r => r.AllText.Contains("not-the-key", StringComparison.Ordinal) || r.AllText.Contains(ApiFactory.Key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheKeyWorksAsAHeaderOrBearerButNeverInAUrl()
    {
        await using var api = new ApiFactory();
        using var client = api.CreateClient();

        using var header = new HttpRequestMessage(HttpMethod.Post, "/api/chat") { Content = JsonContent.Create(new { message = "hello" }) };
        header.Headers.Add("X-API-Key", ApiFactory.Key);
        using var bearer = new HttpRequestMessage(HttpMethod.Post, "/api/chat") { Content = JsonContent.Create(new { message = "hello" }) };
        bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiFactory.Key);
        using var query = new HttpRequestMessage(HttpMethod.Post, $"/api/chat?access_token={ApiFactory.Key}") { Content = JsonContent.Create(new { message = "hello" }) };

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(header, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(bearer, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(query, Ct)).StatusCode);
        Assert.DoesNotContain(api.Logs.Records, r => r.AllText.Contains(ApiFactory.Key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ABrowserTokenObtainedWithTheKeyWorksInAUrlButCannotMintTokens()
    {
        await using var api = new ApiFactory();
        using var keyed = api.CreateKeyedClient();
        var issued = await (await keyed.PostAsync(new Uri("/api/tokens", UriKind.Relative), null, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var token = issued.GetProperty("token").GetString()!;
        Assert.StartsWith("jt1.", token, StringComparison.Ordinal);
        Assert.True(issued.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);

        using var client = api.CreateClient();
        var viaQuery = await client.PostAsJsonAsync($"/api/chat?access_token={Uri.EscapeDataString(token)}", new { message = "hello" }, Ct);
        using var mint = new HttpRequestMessage(HttpMethod.Post, "/api/tokens");
        mint.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var minted = await client.SendAsync(mint, Ct);
        // One hex digit of the signature changed; always a different token (ending it in "00" was the same token 1 time in 256).
        var forgedToken = token[..^1] + (token[^1] == '0' ? '1' : '0');
        var forged = await client.PostAsJsonAsync($"/api/chat?access_token={Uri.EscapeDataString(forgedToken)}", new { message = "hello" }, Ct);

        Assert.Equal(HttpStatusCode.OK, viaQuery.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, minted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
    }

    [Fact]
    public async Task TheChatRateLimitAnswers429WithRetryAfterAndCountsTheHit()
    {
        await using var api = new ApiFactory(new Dictionary<string, string> { ["Jarvis:ChatRequestsPerMinute"] = "2" });
        var meters = api.Services.GetRequiredService<IMeterFactory>();
        using var meter = new MeterListener();
        long hits = 0;
        meter.InstrumentPublished = (instrument, listener) =>
        {
            // This host's counter only: other tests hit their own limits at the same time.
            if (instrument.Meter.Scope == meters && instrument.Name == "rate_limit_hits_total")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meter.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            if (tags.ToArray().Any(t => t.Key == "policy" && Equals(t.Value, "chat")))
            {
                Interlocked.Add(ref hits, value);
            }
        });
        meter.Start();
        using var client = api.CreateKeyedClient();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 3; i++)
        {
            last = await client.PostAsJsonAsync("/api/chat", new { message = "hello" }, Ct);
            statuses.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.True(int.Parse(last!.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal("application/problem+json", last.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, Interlocked.Read(ref hits));
    }

    [Fact]
    public async Task EveryResponseCarriesTheSecurityHeaders()
    {
        await using var api = new ApiFactory();
        using var client = api.CreateClient();

        foreach (var response in new[] { await client.GetAsync(new Uri("/alive", UriKind.Relative), Ct), await client.PostAsJsonAsync("/api/chat", new { message = "x" }, Ct) })
        {
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task HstsIsSentOverHttpsOnly()
    {
        await using var api = new ApiFactory();
        using var http = api.CreateClient();
        using var https = api.CreateClient(new() { BaseAddress = new Uri("https://localhost") });

        var plain = await http.GetAsync(new Uri("/alive", UriKind.Relative), Ct);
        var secure = await https.GetAsync(new Uri("/alive", UriKind.Relative), Ct);

        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));
        Assert.Equal("max-age=31536000; includeSubDomains", secure.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [Fact]
    public async Task CorsAllowsTheConfiguredOriginsOnly()
    {
        await using var api = new ApiFactory(new Dictionary<string, string> { ["Jarvis:CorsOrigins:0"] = "https://chat.example" });
        using var client = api.CreateClient();

        async Task<HttpResponseMessage> PreflightAsync(string origin)
        {
            using var request = new HttpRequestMessage(HttpMethod.Options, "/api/chat");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "POST");
            request.Headers.Add("Access-Control-Request-Headers", "content-type,x-api-key");
            return await client.SendAsync(request, Ct);
        }

        var allowed = await PreflightAsync("https://chat.example");
        var refused = await PreflightAsync("https://evil.example");

        Assert.Equal("https://chat.example", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("x-api-key", allowed.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task OversizedEmptyAndMalformedMessagesAreProblemsNotServerErrors()
    {
        await using var api = new ApiFactory(new Dictionary<string, string> { ["Jarvis:Chat:MaxMessageLength"] = "10" });
        using var client = api.CreateKeyedClient();

        var large = await client.PostAsJsonAsync("/api/chat", new { message = new string('a', 11) }, Ct);
        var empty = await client.PostAsJsonAsync("/api/chat", new { message = "" }, Ct);
        var malformed = await client.PostAsync(new Uri("/api/chat", UriKind.Relative), new StringContent("{\"message\": ", System.Text.Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        Assert.Contains("at most 10 characters", (await large.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    [Fact]
    public async Task WhileDrainingNewChatTurnsGet503OnEveryChannel()
    {
        await using var api = new ApiFactory();
        using var client = api.CreateKeyedClient();
        Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Jarvis.ServiceDefaults.Shutdown.DrainState>(api.Services).BeginDraining();

        var rest = await client.PostAsJsonAsync("/api/chat", new { message = "hello" }, Ct);
        var openAi = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "jarvis", messages = new[] { new { role = "user", content = "hello" } } }, Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, rest.StatusCode);
        Assert.Equal("application/problem+json", rest.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, openAi.StatusCode);
    }

    [Fact]
    public async Task NewWebSocketConnectionsAreRateLimitedPerClient()
    {
        await using var api = new ApiFactory(new Dictionary<string, string> { ["Jarvis:WebSocketConnectionsPerMinute"] = "1" });
        var client = api.Server.CreateWebSocketClient();
        client.ConfigureRequest = request => request.Headers["X-API-Key"] = ApiFactory.Key;

        using var first = await client.ConnectAsync(new Uri(api.Server.BaseAddress, "/ws"), Ct);
        var second = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => client.ConnectAsync(new Uri(api.Server.BaseAddress, "/ws"), Ct));

        Assert.Contains("429", second.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheRestSurface()
    {
        await using var api = new ApiFactory();
        using var client = api.CreateClient();

        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Contains("/api/chat", paths);
        Assert.Contains("/api/conversations/{conversationId}", paths);
        Assert.Contains("/api/tokens", paths);
        Assert.Contains("/v1/chat/completions", paths);
    }
}
