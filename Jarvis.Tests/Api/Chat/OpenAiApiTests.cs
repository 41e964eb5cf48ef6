using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Jarvis.Tests.Infrastructure.Ollama;

namespace Jarvis.Tests.Api.Chat;

/// <summary>The OpenAI-compatible channel, read the way OpenAI clients read it.</summary>
public sealed class OpenAiApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ModelsListJarvisAndABearerKeyIsWhatOpenAiClientsSend()
    {
        await using var api = new ApiFactory();
        using var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiFactory.Key);

        var models = await client.GetFromJsonAsync<JsonElement>("/v1/models", Ct);

        Assert.Equal("list", models.GetProperty("object").GetString());
        Assert.Equal("jarvis", models.GetProperty("data")[0].GetProperty("id").GetString());
        using var anonymous = api.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/v1/models", UriKind.Relative), Ct)).StatusCode);
    }

    [Fact]
    public async Task ACompletionPassesTheClientsConversationToTheModelAndAnswersInOpenAiFormat()
    {
        await using var ollama = await FakeOllamaServer.StartAsync(["llama3.2:1b"], Ct);
        await using var api = new ApiFactory(new Dictionary<string, string> { ["ConnectionStrings:ollama"] = $"Endpoint={ollama.BaseAddress};Model=llama3.2:1b" });
        using var client = api.CreateKeyedClient();

        var response = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "jarvis",
            messages = new object[] { new { role = "user", content = "My name is Ada." }, new { role = "assistant", content = "Hello Ada." }, new { role = "user", content = "What colour is the sky?" } },
        }, Ct);
        var completion = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("chat.completion", completion.GetProperty("object").GetString());
        Assert.StartsWith("chatcmpl-", completion.GetProperty("id").GetString(), StringComparison.Ordinal);
        var choice = completion.GetProperty("choices")[0];
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.StartsWith("The sky is blue.", choice.GetProperty("message").GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(31, completion.GetProperty("usage").GetProperty("total_tokens").GetInt32());
        var sent = Assert.Single(ollama.ChatRequests).Json["messages"]!.AsArray();
        Assert.Equal(["system", "user", "assistant", "user"], sent.Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal("My name is Ada.", sent[1]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task StreamingSendsChunksInOpenAiFormatEndingWithDone()
    {
        await using var ollama = await FakeOllamaServer.StartAsync(["llama3.2:1b"], Ct);
        await using var api = new ApiFactory(new Dictionary<string, string> { ["ConnectionStrings:ollama"] = $"Endpoint={ollama.BaseAddress};Model=llama3.2:1b" });
        using var client = api.CreateKeyedClient();

        var response = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "jarvis", stream = true, messages = new[] { new { role = "user", content = "sky?" } } }, Ct);
        var lines = (await response.Content.ReadAsStringAsync(Ct)).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        // As OpenAI clients parse it: "data: " lines of chunks, then the literal [DONE].
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.All(lines, l => Assert.StartsWith("data: ", l, StringComparison.Ordinal));
        Assert.Equal("data: [DONE]", lines[^1]);
        var chunks = lines[..^1].Select(l => JsonDocument.Parse(l["data: ".Length..]).RootElement).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        var text = string.Concat(chunks.Select(c => c.GetProperty("choices")[0].GetProperty("delta"))
            .Where(d => d.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
            .Select(d => d.GetProperty("content").GetString()));
        Assert.StartsWith("The sky is blue.", text, StringComparison.Ordinal);
        Assert.Equal("stop", chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());
    }

    [Fact]
    public async Task BadRequestsGetOpenAiErrors()
    {
        await using var api = new ApiFactory();
        using var client = api.CreateKeyedClient();

        var noUser = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "jarvis", messages = new[] { new { role = "system", content = "x" } } }, Ct);
        var malformed = await client.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), new StringContent("{\"messages\":", System.Text.Encoding.UTF8, "application/json"), Ct);

        foreach (var response in new[] { noUser, malformed })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var error = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("error");
            Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
            Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        }
    }
}
