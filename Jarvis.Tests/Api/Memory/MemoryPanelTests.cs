using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Jarvis.Tests.Api.Chat;
using Jarvis.Tests.Infrastructure;

namespace Jarvis.Tests.Api.Memory;

/// <summary>
/// What the page's memory panel and conversation list use, through the Api against a real Jarvis.Memory (a child
/// process): list, delete one, export, forget everything; the conversations with their titles; memory down is a 503.
/// </summary>
public sealed class MemoryPanelTests(MemoryProcess memory) : IClassFixture<MemoryProcess>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheMemoryPanelListsDeletesExportsAndForgetsOneUsersMemories()
    {
        await using var api = new ApiFactory(new Dictionary<string, string> { ["Jarvis:MemoryUrl"] = memory.BaseAddress.ToString() });
        using var client = api.CreateKeyedClient();
        await ChatAsync(client, "alice", "c1", "remember that my sister lives in Lyon");
        await ChatAsync(client, "alice", "c1", "remember that my favourite drink is green tea");
        await ChatAsync(client, "bob", "c2", "remember that bob likes chess");

        var memories = await MemoriesAsync(client, "alice");
        Assert.Equal(["my favourite drink is green tea", "my sister lives in Lyon"], memories.Select(m => m.GetProperty("text").GetString()));

        using var export = await client.GetAsync("/api/memories/export?userId=alice", Ct);
        export.EnsureSuccessStatusCode();
        Assert.Equal("application/json", export.Content.Headers.ContentType?.MediaType);
        Assert.Equal("jarvis-memories.json", export.Content.Headers.ContentDisposition?.FileNameStar ?? export.Content.Headers.ContentDisposition?.FileName);
        var exported = await export.Content.ReadAsStringAsync(Ct);
        Assert.Contains("my sister lives in Lyon", exported, StringComparison.Ordinal);
        Assert.DoesNotContain("chess", exported, StringComparison.Ordinal);

        var tea = memories[0].GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/api/memories/{tea}?userId=bob", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/memories/{tea}?userId=alice", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/api/memories/{tea}?userId=alice", Ct)).StatusCode);
        Assert.Equal(["my sister lives in Lyon"], (await MemoriesAsync(client, "alice")).Select(m => m.GetProperty("text").GetString()));

        using var forget = await client.DeleteAsync("/api/memories?userId=alice", Ct);
        forget.EnsureSuccessStatusCode();
        Assert.Equal(1, (await forget.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("deleted").GetInt64());
        Assert.Empty(await MemoriesAsync(client, "alice"));
        Assert.Empty((await ConversationsAsync(client, "alice")).EnumerateArray());
        Assert.Single(await MemoriesAsync(client, "bob"));
    }

    [Fact]
    public async Task ConversationsAreListedNewestFirstWithTheirFirstMessageAsTitleAndShowOnlyWhatWasSaid()
    {
        await using var api = new ApiFactory(new Dictionary<string, string> { ["Jarvis:MemoryUrl"] = memory.BaseAddress.ToString() });
        using var client = api.CreateKeyedClient();
        await ChatAsync(client, "carol", "first", "what time is it");
        await ChatAsync(client, "carol", "games", "let's play hangman");
        await ChatAsync(client, "carol", "games", "e");

        var conversations = (await ConversationsAsync(client, "carol")).EnumerateArray().ToList();
        Assert.Equal(["games", "first"], conversations.Select(c => c.GetProperty("conversationId").GetString()));
        Assert.Equal("let's play hangman", conversations[0].GetProperty("title").GetString());
        Assert.Equal("what time is it", conversations[1].GetProperty("title").GetString());

        // The game keeps its state in the conversation as a tool turn: the page sees only what was said.
        var turns = (await client.GetFromJsonAsync<JsonElement>("/api/conversations/games?userId=carol", Ct)).GetProperty("turns").EnumerateArray().ToList();
        Assert.Equal(["user", "assistant", "user", "assistant"], turns.Select(t => t.GetProperty("role").GetString()));
        Assert.Empty((await ConversationsAsync(client, "dave")).EnumerateArray());
    }

    [Fact]
    public async Task WithMemoryDownThePanelGetsA503ProblemWithTheRequestId()
    {
        await using var api = new ApiFactory();
        using var client = api.CreateKeyedClient();

        foreach (var (method, path) in new[] { ("GET", "/api/memories"), ("GET", "/api/memories/export"), ("DELETE", "/api/memories"), ("GET", "/api/conversations") })
        {
            using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal("Memory unavailable", problem.GetProperty("title").GetString());
            Assert.Equal(response.Headers.GetValues("X-Request-ID").Single(), problem.GetProperty("requestId").GetString());
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.CreateClient().GetAsync("/api/memories", Ct)).StatusCode);
    }

    private static async Task ChatAsync(HttpClient client, string user, string conversation, string message)
    {
        using var response = await client.PostAsJsonAsync("/api/chat", new { message, userId = user, conversationId = conversation }, Ct);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<List<JsonElement>> MemoriesAsync(HttpClient client, string user) =>
        [.. (await client.GetFromJsonAsync<JsonElement>($"/api/memories?userId={user}", Ct)).GetProperty("memories").EnumerateArray()];

    private static async Task<JsonElement> ConversationsAsync(HttpClient client, string user) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/conversations?userId={user}", Ct)).GetProperty("conversations");
}
