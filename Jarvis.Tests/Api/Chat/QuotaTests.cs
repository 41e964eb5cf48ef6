using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Jarvis.Tests.Infrastructure;
using Jarvis.Tests.Infrastructure.Ollama;
using Microsoft.Extensions.Options;

namespace Jarvis.Tests.Api.Chat;

/// <summary>
/// Per-user daily token budgets against the real Jarvis.Memory (a child process, where the counts live) and the fake
/// Ollama (each default reply reports 26 prompt and 5 completion tokens): the turn that crosses the budget is answered,
/// the next is a 429 with the reset time on every channel, other users go on, and the count survives the Api's restart.
/// </summary>
public sealed class QuotaTests(MemoryProcess memory) : IClassFixture<MemoryProcess>
{
    private const int TokensPerTurn = 26 + 5;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_user_past_the_budget_gets_a_429_problem_until_midnight_utc_and_others_go_on()
    {
        await using var ollama = await FakeOllamaServer.StartAsync(["llama3.2:1b"], Ct);
        var user = NewUser();
        await using (var api = Api(ollama, limit: 50))
        {
            using var client = api.CreateKeyedClient();

            // 31 tokens, then 62: the turn that crosses the budget is answered in full.
            Assert.Equal(HttpStatusCode.OK, (await ChatAsync(client, user)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await ChatAsync(client, user)).StatusCode);
            Assert.Equal(2 * TokensPerTurn, await UsageAsync(user));

            using var refused = await ChatAsync(client, user);
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(Ct);
            var midnight = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(1), TimeSpan.Zero);
            Assert.Equal(midnight, problem.GetProperty("resetAt").GetDateTimeOffset());
            Assert.Equal(50, problem.GetProperty("limit").GetInt64());
            Assert.Equal(62, problem.GetProperty("used").GetInt64());
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("requestId").GetString()));
            var retryAfter = refused.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
            Assert.Equal(2, ollama.ChatRequests.Count);

            Assert.Equal(HttpStatusCode.OK, (await ChatAsync(client, NewUser())).StatusCode);
        }

        // The count is Memory's, not the process's: a restarted Api still refuses.
        await using var restarted = Api(ollama, limit: 50);
        using var again = restarted.CreateKeyedClient();
        Assert.Equal(HttpStatusCode.TooManyRequests, (await ChatAsync(again, user)).StatusCode);
    }

    [Fact]
    public async Task Every_channel_refuses_in_its_own_protocol()
    {
        await using var ollama = await FakeOllamaServer.StartAsync(["llama3.2:1b"], Ct);
        var user = NewUser();
        await using var api = Api(ollama, limit: 1);
        using var client = api.CreateKeyedClient();
        Assert.Equal(HttpStatusCode.OK, (await ChatAsync(client, user)).StatusCode);

        // Server-sent events: refused before the stream starts, so a plain 429 problem.
        using var sse = new HttpRequestMessage(HttpMethod.Post, "/api/chat") { Content = JsonContent.Create(new { message = "hi there", userId = user }) };
        sse.Headers.Accept.ParseAdd("text/event-stream");
        using var streamed = await client.SendAsync(sse, Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, streamed.StatusCode);
        Assert.Equal("application/problem+json", streamed.Content.Headers.ContentType?.MediaType);

        // OpenAI-compatible: OpenAI's own error for a used-up quota, streaming or not.
        foreach (var stream in new[] { false, true })
        {
            using var openAi = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "jarvis", user, stream, messages = new[] { new { role = "user", content = "hi" } } }, Ct);
            Assert.Equal(HttpStatusCode.TooManyRequests, openAi.StatusCode);
            Assert.NotNull(openAi.Headers.RetryAfter);
            var error = (await openAi.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("error");
            Assert.Equal("insufficient_quota", error.GetProperty("type").GetString());
            Assert.Equal("insufficient_quota", error.GetProperty("code").GetString());
            Assert.Contains("resets at", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        // WebSocket: an error event with the reset time; the socket stays open for the next message.
        using var socket = await ChatSocketTests.ConnectAsync(api);
        await ChatSocketTests.SendAsync(socket, new { type = "message", text = "hello there", user_id = user });
        var refusal = (await ChatSocketTests.UntilAsync(socket, "error"))[^1];
        Assert.Equal("quota_exceeded", refusal.GetProperty("code").GetString());
        Assert.Equal(new DateTimeOffset(DateTime.UtcNow.Date.AddDays(1), TimeSpan.Zero), refusal.GetProperty("reset_at").GetDateTimeOffset());
        await ChatSocketTests.SendAsync(socket, new { type = "ping" });
        Assert.Equal("pong", (await ChatSocketTests.ReceiveAsync(socket)).GetProperty("type").GetString());

        Assert.Single(ollama.ChatRequests);
    }

    [Fact]
    public async Task A_turn_stopped_mid_answer_counts_what_it_spent()
    {
        await using var ollama = await FakeOllamaServer.StartAsync(["llama3.2:1b"], Ct);
        ollama.Enqueue(new FakeChatReply { Tokens = ["Once", " upon", " a", " time"], DelayBetweenTokens = TimeSpan.FromMinutes(1) });
        var user = NewUser();
        await using var api = Api(ollama, limit: 1000);
        using var socket = await ChatSocketTests.ConnectAsync(api);

        const string Message = "tell me a very long story about the sea";
        await ChatSocketTests.SendAsync(socket, new { type = "message", text = Message, user_id = user });
        Assert.Equal("Once", (await ChatSocketTests.UntilAsync(socket, "token"))[^1].GetProperty("text").GetString());
        await ChatSocketTests.SendAsync(socket, new { type = "stop" });
        Assert.True((await ChatSocketTests.UntilAsync(socket, "done"))[^1].GetProperty("stopped").GetBoolean());

        // The model never reported its usage: the prompt (instructions and message) and the reply so far are counted
        // at about four characters a token, and counted before the turn's "done".
        var used = await UsageAsync(user);
        const int Instructions = 10; // "You are Jarvis, …": at least
        Assert.InRange(used, Instructions + (Message.Length / 4) + 1, 1000);
        using var client = api.CreateKeyedClient();
        Assert.Equal(HttpStatusCode.OK, (await ChatAsync(client, user)).StatusCode);
        Assert.Equal(used + TokensPerTurn, await UsageAsync(user));
    }

    [Fact]
    public async Task Without_a_budget_turns_are_not_counted_in_memory_and_the_metric_has_no_user_label()
    {
        await using var ollama = await FakeOllamaServer.StartAsync(["llama3.2:1b"], Ct);
        var user = NewUser();
        await using var api = Api(ollama, limit: null);
        using var metrics = new MeasurementCollector(api.Services, "Jarvis.Api");
        using var client = api.CreateKeyedClient();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await ChatAsync(client, user)).StatusCode);
        }

        Assert.Equal(0, await UsageAsync(user));
        var tokens = metrics.Measurements.Where(m => m.Instrument == "llm_tokens_total").ToList();
        Assert.Equal(3 * 26, tokens.Where(m => (string?)m.Tags["type"] == "input").Sum(m => m.Value));
        Assert.Equal(3 * 5, tokens.Where(m => (string?)m.Tags["type"] == "output").Sum(m => m.Value));
        Assert.All(tokens, m => Assert.False(m.Tags.ContainsKey("user")));
    }

    [Fact]
    public async Task The_user_label_is_there_only_when_asked_for()
    {
        await using var ollama = await FakeOllamaServer.StartAsync(["llama3.2:1b"], Ct);
        var user = NewUser();
        await using var api = Api(ollama, limit: 1000, userLabel: true);
        using var metrics = new MeasurementCollector(api.Services, "Jarvis.Api");
        using var client = api.CreateKeyedClient();

        Assert.Equal(HttpStatusCode.OK, (await ChatAsync(client, user)).StatusCode);

        var tokens = metrics.Measurements.Where(m => m.Instrument == "llm_tokens_total").ToList();
        Assert.Equal(2, tokens.Count);
        Assert.All(tokens, m => Assert.Equal(user, m.Tags["user"]));
        Assert.Equal(TokensPerTurn, await UsageAsync(user));
    }

    [Fact]
    public async Task With_memory_down_turns_go_on_uncounted()
    {
        await using var ollama = await FakeOllamaServer.StartAsync(["llama3.2:1b"], Ct);
        await using var api = new ApiFactory(new Dictionary<string, string>
        {
            ["ConnectionStrings:ollama"] = $"Endpoint={ollama.BaseAddress};Model=llama3.2:1b",
            ["Jarvis:Quotas:DailyTokensPerUser"] = "1",
        });
        using var client = api.CreateKeyedClient();

        Assert.Equal(HttpStatusCode.OK, (await ChatAsync(client, "alice")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ChatAsync(client, "alice")).StatusCode);
    }

    [Fact]
    public void A_budget_below_one_token_stops_the_start()
    {
        using var api = new ApiFactory(new Dictionary<string, string> { ["Jarvis:Quotas:DailyTokensPerUser"] = "0" });

        var failure = Assert.Throws<OptionsValidationException>(() => api.CreateClient());
        Assert.Contains("DailyTokensPerUser", failure.Message, StringComparison.Ordinal);
    }

    private ApiFactory Api(FakeOllamaServer ollama, long? limit, bool userLabel = false)
    {
        var settings = new Dictionary<string, string>
        {
            ["Jarvis:MemoryUrl"] = memory.BaseAddress.ToString(),
            ["ConnectionStrings:ollama"] = $"Endpoint={ollama.BaseAddress};Model=llama3.2:1b",
            ["Jarvis:Quotas:TokenMetricUserLabel"] = userLabel ? "true" : "false",
        };
        if (limit is { } value)
        {
            settings["Jarvis:Quotas:DailyTokensPerUser"] = value.ToString(CultureInfo.InvariantCulture);
        }

        return new ApiFactory(settings);
    }

    private static string NewUser() => $"quota-{Guid.NewGuid():N}";

    private static Task<HttpResponseMessage> ChatAsync(HttpClient client, string user) =>
        client.PostAsync("/api/chat", new StringContent(JsonSerializer.Serialize(new { message = "hi there", userId = user }), Encoding.UTF8, "application/json"), Ct);

    private async Task<long> UsageAsync(string user)
    {
        using var client = memory.CreateClient();
        var usage = await client.GetFromJsonAsync<JsonElement>($"/api/users/{user}/usage/{DateTime.UtcNow:yyyy-MM-dd}", Ct);
        return usage.GetProperty("tokens").GetInt64();
    }
}
