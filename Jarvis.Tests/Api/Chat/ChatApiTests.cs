using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Jarvis.Api.Chat;
using Jarvis.Tests.Infrastructure.Ollama;

namespace Jarvis.Tests.Api.Chat;

/// <summary>The REST chat channel with the offline responder and with an LLM (a spec-following fake Ollama).</summary>
public sealed class ChatApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WithoutAnLlmTheOfflineResponderAnswersAndHealthSaysDegraded()
    {
        await using var api = new ApiFactory();
        using var client = api.CreateKeyedClient();

        var response = await client.PostAsJsonAsync("/api/chat", new { message = "Bonjour !", userId = "alice" }, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("offline", body.GetProperty("responder").GetString());
        Assert.Contains("onjour", body.GetProperty("reply").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("conversationId").GetString()));
        Assert.Equal(response.Headers.GetValues("X-Request-ID").Single(), body.GetProperty("requestId").GetString());
        var health = await client.GetFromJsonAsync<JsonElement>("/health", Ct);
        var llm = health.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "llm");
        Assert.Equal("Degraded", llm.GetProperty("status").GetString());
    }

    [Fact]
    public async Task WithAnLlmTheReplyComesFromTheModelAndMemoryBeingDownIsSaid()
    {
        await using var ollama = await FakeOllamaServer.StartAsync(["llama3.2:1b"], Ct);
        await using var api = new ApiFactory(new Dictionary<string, string>
        {
            ["ConnectionStrings:ollama-llama3-2"] = $"Endpoint={ollama.BaseAddress};Model=llama3.2:1b",
        });
        using var client = api.CreateKeyedClient();

        var response = await client.PostAsJsonAsync("/api/chat", new { message = "What colour is the sky?", userId = "alice" }, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, string.Join("\n", api.Logs.Records.Where(r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Error).Select(r => r.AllText)));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal("llm", body.GetProperty("responder").GetString());
        Assert.StartsWith("The sky is blue.", body.GetProperty("reply").GetString(), StringComparison.Ordinal);
        Assert.EndsWith(ChatService.MemoryUnavailableNote, body.GetProperty("reply").GetString(), StringComparison.Ordinal);
        Assert.Equal(26, body.GetProperty("usage").GetProperty("inputTokens").GetInt64());
        var sent = Assert.Single(ollama.ChatRequests).Json;
        Assert.Equal("llama3.2:1b", sent["model"]!.GetValue<string>());
        Assert.Equal("What colour is the sky?", sent["messages"]!.AsArray()[^1]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task AModelWithoutToolSupportIsAskedAgainWithoutToolsAndLaterTurnsOfferNone()
    {
        await using var ollama = await FakeOllamaServer.StartAsync(["gemma:2b"], Ct);
        ollama.ModelsWithoutTools["gemma:2b"] = true;
        await using var api = new ApiFactory(new Dictionary<string, string> { ["ConnectionStrings:ollama"] = $"Endpoint={ollama.BaseAddress};Model=gemma:2b" });
        using var client = api.CreateKeyedClient();

        var first = await client.PostAsJsonAsync("/api/chat", new { message = "sky?", userId = "alice" }, Ct);
        var second = await client.PostAsJsonAsync("/api/chat", new { message = "grass?", userId = "alice" }, Ct);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.StartsWith("The sky is blue.", (await first.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("reply").GetString(), StringComparison.Ordinal);
        var requests = ollama.ChatRequests;
        Assert.Equal(3, requests.Count);
        Assert.NotNull(requests[0].Json["tools"]);
        Assert.Null(requests[1].Json["tools"]);
        Assert.Null(requests[2].Json["tools"]);
    }

    [Fact]
    public async Task ServerSentEventsStreamTheTokensThenDone()
    {
        await using var ollama = await FakeOllamaServer.StartAsync(["llama3.2:1b"], Ct);
        await using var api = new ApiFactory(new Dictionary<string, string> { ["ConnectionStrings:ollama"] = $"Endpoint={ollama.BaseAddress};Model=llama3.2:1b" });
        using var client = api.CreateKeyedClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/chat") { Content = JsonContent.Create(new { message = "sky?" }) };
        request.Headers.Accept.ParseAdd("text/event-stream");

        var response = await client.SendAsync(request, Ct);
        var events = (await response.Content.ReadAsStringAsync(Ct)).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => (Name: e.Split('\n')[0]["event: ".Length..], Data: JsonDocument.Parse(e.Split('\n')[1]["data: ".Length..]).RootElement))
            .ToList();

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["The", " sky", " is", " blue", "."], events.Where(e => e.Name == "token").Take(5).Select(e => e.Data.GetProperty("text").GetString()));
        var done = events[^1];
        Assert.Equal("done", done.Name);
        Assert.StartsWith("The sky is blue.", done.Data.GetProperty("reply").GetString(), StringComparison.Ordinal);
        Assert.True(done.Data.GetProperty("timings").GetProperty("firstTokenMs").GetDouble() >= 0);
    }

    [Fact]
    public async Task AFailureMidStreamEndsTheStreamWithAnErrorEventAndAMissingModelIsA502()
    {
        await using var ollama = await FakeOllamaServer.StartAsync(["llama3.2:1b"], Ct);
        ollama.Enqueue(new FakeChatReply { Error = "an error was encountered while running the model", TokensBeforeError = 2 });
        await using var api = new ApiFactory(new Dictionary<string, string> { ["ConnectionStrings:ollama"] = $"Endpoint={ollama.BaseAddress};Model=llama3.2:1b" });
        using var client = api.CreateKeyedClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/chat") { Content = JsonContent.Create(new { message = "sky?" }) };
        request.Headers.Accept.ParseAdd("text/event-stream");

        var stream = await (await client.SendAsync(request, Ct)).Content.ReadAsStringAsync(Ct);

        Assert.Contains("event: token", stream, StringComparison.Ordinal);
        Assert.Contains("event: error", stream, StringComparison.Ordinal);
        Assert.Contains("llm_failed", stream, StringComparison.Ordinal);
        Assert.DoesNotContain("event: done", stream, StringComparison.Ordinal);

        await using var missing = new ApiFactory(new Dictionary<string, string> { ["ConnectionStrings:ollama"] = $"Endpoint={ollama.BaseAddress};Model=mistral:7b" });
        using var other = missing.CreateKeyedClient();
        var response = await other.PostAsJsonAsync("/api/chat", new { message = "sky?" }, Ct);
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("ollama pull mistral:7b", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
