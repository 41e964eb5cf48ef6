using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Jarvis.Memory.Conversations;
using Jarvis.Memory.Memories;

namespace Jarvis.Tests.Memory.Api;

/// <summary>The memory HTTP API in-process: embedded store on a temporary directory, lexical embedder.</summary>
public sealed class MemoryApiTests
{
    private const string SisterText = "My sister Anna lives in Lyon and works as a nurse";
    private const string TaxText = "The quarterly tax report is due on Friday";
    private static readonly string[] Family = ["family"];
    private static readonly string[] Secret = ["secret"];
    private static readonly string[] FamilyAndWork = ["family", "work"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StoreAnswers201WithIdCreatedAtEmbedderAndLocation()
    {
        await using var api = new MemoryApiFactory();
        using var client = api.CreateClient();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        using var response = await client.PostAsJsonAsync("/api/memories", new { userId = "alice", text = SisterText, kind = "fact", importance = 0.8, tags = Family }, Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var stored = await response.Content.ReadFromJsonAsync<StoreMemoryResponse>(Ct);
        Assert.NotNull(stored);
        Assert.NotEqual(Guid.Empty, stored.Id);
        Assert.Equal("lexical-v1-384", stored.Embedder);
        Assert.InRange(stored.CreatedAt, before, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.NotNull(response.Headers.Location);
        Assert.Equal($"/api/memories/{stored.Id}?userId=alice", response.Headers.Location.OriginalString);

        var memory = await client.GetFromJsonAsync<MemoryResponse>(response.Headers.Location, Ct);
        Assert.NotNull(memory);
        Assert.Equal(stored.Id, memory.Id);
        Assert.Equal("alice", memory.UserId);
        Assert.Equal(SisterText, memory.Text);
        Assert.Equal(MemoryKind.Fact, memory.Kind);
        Assert.Equal(0.8, memory.Importance);
        Assert.Equal(["family"], memory.Tags);
        Assert.Equal(stored.CreatedAt, memory.CreatedAt);
        Assert.Equal("lexical-v1-384", memory.Embedder);
        Assert.True(Directory.EnumerateFiles(api.DataDirectory, "memory.db").Any(), "the store lives in the configured data directory");
    }

    [Fact]
    public async Task StoreDefaultsKindToFactAndImportanceToHalfAndAcceptsExactly8KiB()
    {
        await using var api = new MemoryApiFactory();
        using var client = api.CreateClient();
        var text = new string('x', 8 * 1024);

        var id = await StoreAsync(client, "alice", text);

        var memory = await GetAsync(client, "alice", id);
        Assert.Equal(MemoryKind.Fact, memory.Kind);
        Assert.Equal(0.5, memory.Importance);
        Assert.Empty(memory.Tags);
        Assert.Equal(text, memory.Text);
    }

    [Fact]
    public async Task GetListPageAndDelete()
    {
        await using var api = new MemoryApiFactory();
        using var client = api.CreateClient();
        var first = await StoreAsync(client, "alice", "first memory about apples");
        var second = await StoreAsync(client, "alice", "second memory about bananas");
        var third = await StoreAsync(client, "alice", "third memory about cherries");

        Assert.Equal("second memory about bananas", (await GetAsync(client, "alice", second)).Text);

        var page1 = await ListAsync(client, "alice", "limit=2");
        Assert.Equal([third, second], page1.Items.Select(m => m.Id));
        Assert.NotNull(page1.NextCursor);
        var page2 = await ListAsync(client, "alice", $"limit=2&cursor={Uri.EscapeDataString(page1.NextCursor)}");
        Assert.Equal([first], page2.Items.Select(m => m.Id));
        Assert.Null(page2.NextCursor);
        Assert.Equal([third, second, first], (await ListAsync(client, "alice", "")).Items.Select(m => m.Id));

        using (var deleted = await client.DeleteAsync($"/api/memories/{second}?userId=alice", Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using (var again = await client.DeleteAsync($"/api/memories/{second}?userId=alice", Ct))
        {
            await AssertNotFoundProblemAsync(again, second);
        }

        using (var gone = await client.GetAsync($"/api/memories/{second}?userId=alice", Ct))
        {
            await AssertNotFoundProblemAsync(gone, second);
        }

        Assert.Equal([third, first], (await ListAsync(client, "alice", "")).Items.Select(m => m.Id));
    }

    public static TheoryData<string, string, string?, string> InvalidRequests => new()
    {
        { "POST", "/api/memories", """{"text":"no user"}""", "userId" },
        { "POST", "/api/memories", """{"userId":"  ","text":"blank user"}""", "userId" },
        { "POST", "/api/memories", $$"""{"userId":"u","text":"{{new string('x', (8 * 1024) + 1)}}"}""", "text" },
        { "POST", "/api/memories", $$"""{"userId":"u","text":"{{string.Concat(Enumerable.Repeat("é", 4097))}}"}""", "text" },
        { "POST", "/api/memories", """{"userId":"u"}""", "text" },
        { "POST", "/api/memories", """{"userId":"u","text":"t","kind":"rumour"}""", "kind" },
        { "POST", "/api/memories", """{"userId":"u","text":"t","kind":"7"}""", "kind" },
        { "POST", "/api/memories", """{"userId":"u","text":"t","kind":"1"}""", "kind" },
        { "POST", "/api/memories", """{"userId":"u","text":"t","kind":"fact,episode"}""", "kind" },
        { "POST", "/api/memories", """{"userId":"u","text":"t","importance":2}""", "importance" },
        { "POST", "/api/memories", """{"userId":"u","text":"t","importance":-0.1}""", "importance" },
        { "POST", "/api/memories", """{"userId":"u","text":"t","tags":[""]}""", "tags" },
        { "POST", "/api/memories/search", """{"query":"q"}""", "userId" },
        { "POST", "/api/memories/search", """{"userId":"u"}""", "query" },
        { "POST", "/api/memories/search", """{"userId":"u","query":"q","limit":0}""", "limit" },
        { "POST", "/api/memories/search", """{"userId":"u","query":"q","limit":101}""", "limit" },
        { "POST", "/api/memories/search", """{"userId":"u","query":"q","minScore":1.5}""", "minScore" },
        { "GET", "/api/memories", null, "userId" },
        { "GET", "/api/memories?userId=u&limit=0", null, "limit" },
        { "GET", "/api/memories?userId=u&cursor=not-a-cursor!", null, "cursor" },
        { "GET", "/api/memories?userId=u&cursor=bm9wZQ", null, "cursor" },
        { "GET", $"/api/memories/{Guid.NewGuid()}", null, "userId" },
        { "DELETE", $"/api/memories/{Guid.NewGuid()}", null, "userId" },
        { "DELETE", "/api/users/%20/memories", null, "userId" },
        { "GET", "/api/users/%20/export", null, "userId" },
        { "POST", "/api/conversations/c1/turns", """{"userId":"u","role":"robot","text":"beep"}""", "role" },
        { "POST", "/api/conversations/c1/turns", """{"role":"user","text":"hello"}""", "userId" },
        { "POST", "/api/conversations/c1/turns", """{"userId":"u","role":"user"}""", "text" },
        { "GET", "/api/conversations/c1/turns?userId=u&last=0", null, "last" },
        { "GET", "/api/conversations/c1/turns", null, "userId" },
        { "POST", "/api/turns", """{"turns":[]}""", "turns" },
        { "POST", "/api/turns", "{}", "turns" },
        { "POST", "/api/turns", $$"""{"turns":[{{string.Join(",", Enumerable.Repeat("""{"userId":"u","conversationId":"c","role":"user","text":"t"}""", 201))}}]}""", "turns" },
        { "POST", "/api/turns", """{"turns":[{"userId":"u","conversationId":"c","role":"user","text":"t"},{"userId":"u","conversationId":"c","role":"robot","text":"t"}]}""", "turns[1].role" },
        { "POST", "/api/turns", """{"turns":[{"userId":"u","role":"user","text":"t"}]}""", "turns[0].conversationId" },
        { "POST", "/api/turns", """{"turns":[null]}""", "turns[0]" },
        { "GET", "/api/users/u/usage/2026-13-01", null, "day" },
        { "GET", "/api/users/%20/usage/2026-12-01", null, "userId" },
        { "POST", "/api/users/u/usage/2026-12-01", """{"tokens":-1}""", "tokens" },
        { "POST", "/api/users/u/usage/2026-12-01", "{}", "tokens" },
        { "POST", "/api/users/u/usage/yesterday", """{"tokens":1}""", "day" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task InvalidInputIsA400ProblemNamingTheFieldWithTheRequestId(string method, string path, string? body, string field)
    {
        await using var api = new MemoryApiFactory();
        using var client = api.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request, Ct);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"errors name '{field}': {problem}");
        Assert.Contains(messages.EnumerateArray(), m => !string.IsNullOrWhiteSpace(m.GetString()));
    }

    [Fact]
    public async Task EveryBadFieldIsNamedAtOnce()
    {
        await using var api = new MemoryApiFactory();
        using var client = api.CreateClient();

        using var response = await client.PostAsJsonAsync("/api/memories", new { text = new string('x', 9000), kind = "rumour", importance = 2 }, Ct);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(["importance", "kind", "text", "userId"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Contains("8192", problem.GetProperty("errors").GetProperty("text")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingMemoryAndAnotherUsersMemoryGetTheSame404Problem()
    {
        await using var api = new MemoryApiFactory();
        using var client = api.CreateClient();
        var alices = await StoreAsync(client, "alice", SisterText);
        var missing = Guid.NewGuid();

        using var foreign = await client.GetAsync($"/api/memories/{alices}?userId=bob", Ct);
        using var absent = await client.GetAsync($"/api/memories/{missing}?userId=bob", Ct);

        var foreignProblem = await AssertNotFoundProblemAsync(foreign, alices);
        var absentProblem = await AssertNotFoundProblemAsync(absent, missing);
        Assert.Equal(Normalise(absentProblem, missing), Normalise(foreignProblem, alices));

        using var foreignDelete = await client.DeleteAsync($"/api/memories/{alices}?userId=bob", Ct);
        using var absentDelete = await client.DeleteAsync($"/api/memories/{missing}?userId=bob", Ct);
        Assert.Equal(Normalise(await AssertNotFoundProblemAsync(absentDelete, missing), missing), Normalise(await AssertNotFoundProblemAsync(foreignDelete, alices), alices));

        // The same body as a GET's: a delete reveals no more than a read.
        Assert.Equal(Normalise(absentProblem, missing), Normalise(await AssertNotFoundProblemAsync(foreignDelete, alices), alices));

        static string Normalise(JsonElement problem, Guid id) => string.Join('\n', problem.EnumerateObject()
            .Where(p => p.Name is not ("requestId" or "traceId"))
            .Select(p => $"{p.Name}={p.Value.ToString().Replace(id.ToString(), "{id}", StringComparison.OrdinalIgnoreCase)}")
            .Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AUserCanNeverReachAnotherUsersDataThroughAnyRoute()
    {
        await using var api = new MemoryApiFactory();
        using var client = api.CreateClient();
        var alices = await StoreAsync(client, "alice", "The vault code is 4711 and the vault is in the cellar", tags: ["secret"]);
        var bobs = await StoreAsync(client, "bob", "I like green tea in the morning");

        // get
        using (var get = await client.GetAsync($"/api/memories/{alices}?userId=bob", Ct))
        {
            await AssertNotFoundProblemAsync(get, alices);
        }

        // list
        Assert.Equal([bobs], (await ListAsync(client, "bob", "")).Items.Select(m => m.Id));

        // search, with and without the other user's tag
        var found = await SearchAsync(client, new { userId = "bob", query = "vault code 4711 cellar", limit = 100 });
        Assert.DoesNotContain(found.Results, r => r.Id == alices);
        Assert.Empty((await SearchAsync(client, new { userId = "bob", query = "vault code", tags = Secret })).Results);

        // delete
        using (var delete = await client.DeleteAsync($"/api/memories/{alices}?userId=bob", Ct))
        {
            await AssertNotFoundProblemAsync(delete, alices);
        }

        // export
        var export = await client.GetFromJsonAsync<UserExport>("/api/users/bob/export", Ct);
        Assert.NotNull(export);
        Assert.Equal([bobs], export.Memories.Select(m => m.Id));

        // the same idempotency key does not lead to another user's memory
        using (var replay = await PostWithKeyAsync(client, new { userId = "bob", text = "The vault code is 4711 and the vault is in the cellar", tags = Secret }, "key-1"))
        using (var original = await PostWithKeyAsync(client, new { userId = "alice", text = "something else", tags = Array.Empty<string>() }, "key-1"))
        {
            Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
            Assert.Equal(HttpStatusCode.Created, original.StatusCode);
            Assert.NotEqual((await replay.Content.ReadFromJsonAsync<StoreMemoryResponse>(Ct))!.Id, (await original.Content.ReadFromJsonAsync<StoreMemoryResponse>(Ct))!.Id);
        }

        // conversations: the same conversation id is a different conversation per user
        Assert.Equal(1, (await AppendTurnAsync(client, "shared", "alice", "user", "Alice's private question")).Sequence);
        Assert.Equal(1, (await AppendTurnAsync(client, "shared", "bob", "user", "Bob's question")).Sequence);
        Assert.Equal(["Bob's question"], (await TurnsAsync(client, "shared", "bob", "")).Turns.Select(t => t.Text));
        Assert.Equal(["Alice's private question"], (await TurnsAsync(client, "shared", "alice", "")).Turns.Select(t => t.Text));

        // forget everything: only bob's data goes
        using (var forget = await client.DeleteAsync("/api/users/bob/memories", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, forget.StatusCode);
            var forgotten = await forget.Content.ReadFromJsonAsync<ForgetResponse>(Ct);
            Assert.Equal(new ForgetResponse("bob", 2), forgotten);
        }

        Assert.Equal("The vault code is 4711 and the vault is in the cellar", (await GetAsync(client, "alice", alices)).Text);
        Assert.Equal(2, (await ListAsync(client, "alice", "")).Items.Count);
        Assert.Single((await TurnsAsync(client, "shared", "alice", "")).Turns);
    }

    [Fact]
    public async Task ForgettingAUserRemovesTheirMemoriesAndTurnsOnly()
    {
        await using var api = new MemoryApiFactory();
        using var client = api.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            await StoreAsync(client, "alice", $"alice memory {i}");
            await StoreAsync(client, "bob", $"bob memory {i}");
        }

        await AppendTurnAsync(client, "c1", "alice", "user", "hello");
        await AppendTurnAsync(client, "c1", "bob", "user", "hello");
        await AppendTurnAsync(client, "c2", "alice", "assistant", "hi");

        using (var forget = await client.DeleteAsync("/api/users/alice/memories", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, forget.StatusCode);
            Assert.Equal(3, (await forget.Content.ReadFromJsonAsync<ForgetResponse>(Ct))!.Deleted);
        }

        Assert.Empty((await ListAsync(client, "alice", "")).Items);
        Assert.Empty((await client.GetFromJsonAsync<UserExport>("/api/users/alice/export", Ct))!.Memories);
        Assert.Empty((await SearchAsync(client, new { userId = "alice", query = "alice memory" })).Results);
        Assert.Empty((await TurnsAsync(client, "c1", "alice", "")).Turns);
        Assert.Empty((await TurnsAsync(client, "c2", "alice", "")).Turns);

        Assert.Equal(3, (await ListAsync(client, "bob", "")).Items.Count);
        Assert.Equal(3, (await SearchAsync(client, new { userId = "bob", query = "bob memory" })).Results.Count);
        Assert.Single((await TurnsAsync(client, "c1", "bob", "")).Turns);

        // Forgetting a user twice, or one who never was, is fine.
        using var again = await client.DeleteAsync("/api/users/alice/memories", Ct);
        Assert.Equal(0, (await again.Content.ReadFromJsonAsync<ForgetResponse>(Ct))!.Deleted);

        // A forgotten user starts a conversation afresh.
        Assert.Equal(1, (await AppendTurnAsync(client, "c1", "alice", "user", "hello again")).Sequence);
    }

    [Fact]
    public async Task ExportReturnsAllOfAUsersMemories()
    {
        await using var api = new MemoryApiFactory();
        using var client = api.CreateClient();
        var ids = new List<Guid>();
        for (var i = 0; i < 130; i++)
        {
            ids.Add(await StoreAsync(client, "alice", $"memory number {i}", tags: [$"t{i % 3}"]));
        }

        await StoreAsync(client, "bob", "not alice's");

        using var response = await client.GetAsync("/api/users/alice/export", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var export = await response.Content.ReadFromJsonAsync<UserExport>(Ct);
        Assert.NotNull(export);
        Assert.Equal("alice", export.UserId);
        Assert.Equal(ids.Order(), export.Memories.Select(m => m.Id).Order());
        Assert.All(export.Memories, m => Assert.Equal("alice", m.UserId));
        var tenth = export.Memories.Single(m => m.Id == ids[10]);
        Assert.Equal("memory number 10", tenth.Text);
        Assert.Equal(["t1"], tenth.Tags);
        Assert.Equal("lexical-v1-384", tenth.Embedder);
    }

    [Fact]
    public async Task SearchRanksWithScoreComponentsAndRespectsLimitTagsAndMinScore()
    {
        await using var api = new MemoryApiFactory();
        using var client = api.CreateClient();
        var sister = await StoreAsync(client, "alice", SisterText, importance: 0.9, tags: ["family"]);
        var tax = await StoreAsync(client, "alice", TaxText, importance: 0.4, tags: ["work"]);
        var brother = await StoreAsync(client, "alice", "My brother Tom lives in Paris", importance: 0.2, tags: ["family"]);
        await StoreAsync(client, "alice", "I prefer green tea to coffee", kind: "preference", importance: 0.6);

        var all = await SearchAsync(client, new { userId = "alice", query = "where does my sister Anna live?", limit = 10 });
        Assert.Equal("lexical-v1-384", all.Embedder);
        Assert.Equal(4, all.Results.Count);
        Assert.Equal(sister, all.Results[0].Id);
        Assert.Equal(all.Results.OrderByDescending(r => r.Score).Select(r => r.Id), all.Results.Select(r => r.Id));
        Assert.All(all.Results, hit =>
        {
            Assert.InRange(hit.Score, 0, 1);
            Assert.InRange(hit.Relevance, 0, 1);
            Assert.InRange(hit.Recency, 0, 1);
            Assert.InRange(hit.Importance, 0, 1);

            // Default weights are equal: the score is the mean of its components.
            Assert.Equal((hit.Relevance + hit.Recency + hit.Importance) / 3, hit.Score, 9);
        });
        Assert.Equal(0.9, all.Results[0].Importance);
        Assert.Equal(SisterText, all.Results[0].Text);
        Assert.Equal(MemoryKind.Fact, all.Results[0].Kind);
        Assert.Equal(["family"], all.Results[0].Tags);
        Assert.True(all.Results[0].Recency > 0.99, "a memory stored a moment ago is as recent as can be");

        var limited = await SearchAsync(client, new { userId = "alice", query = "where does my sister Anna live?", limit = 2 });
        Assert.Equal(all.Results.Take(2).Select(r => r.Id), limited.Results.Select(r => r.Id));

        var family = await SearchAsync(client, new { userId = "alice", query = "tax report", tags = Family });
        Assert.Equal(new[] { sister, brother }.Order(), family.Results.Select(r => r.Id).Order());
        Assert.DoesNotContain(family.Results, r => r.Id == tax);
        Assert.Empty((await SearchAsync(client, new { userId = "alice", query = "tax report", tags = FamilyAndWork })).Results);

        Assert.True(all.Results[1].Score - all.Results[2].Score > 1e-3, "the second and third results have distinct scores");
        var threshold = (all.Results[1].Score + all.Results[2].Score) / 2;
        var above = await SearchAsync(client, new { userId = "alice", query = "where does my sister Anna live?", limit = 10, minScore = threshold });
        Assert.Equal(all.Results.Take(2).Select(r => r.Id), above.Results.Select(r => r.Id));
        Assert.All(above.Results, r => Assert.True(r.Score >= threshold));
        Assert.Empty((await SearchAsync(client, new { userId = "alice", query = "where does my sister Anna live?", minScore = 1.0 })).Results);
    }

    [Fact]
    public async Task SearchDefaultsToFiveResults()
    {
        await using var api = new MemoryApiFactory();
        using var client = api.CreateClient();
        for (var i = 0; i < 8; i++)
        {
            await StoreAsync(client, "alice", $"garden note {i}: water the roses");
        }

        Assert.Equal(5, (await SearchAsync(client, new { userId = "alice", query = "roses in the garden" })).Results.Count);
    }

    [Fact]
    public async Task LexicalEmbedderRanksAParaphraseSharingWordsAboveUnrelatedText()
    {
        await using var api = new MemoryApiFactory();
        using var client = api.CreateClient();

        // The unrelated memory is stored last (the more recent), with the same importance: only relevance puts the sister first.
        var sister = await StoreAsync(client, "alice", SisterText, importance: 0.5);
        var tax = await StoreAsync(client, "alice", TaxText, importance: 0.5);

        var found = await SearchAsync(client, new { userId = "alice", query = "where does my sister Anna live?" });

        Assert.Equal([sister, tax], found.Results.Select(r => r.Id));
        Assert.True(found.Results[0].Relevance > found.Results[1].Relevance + 0.2, $"relevance {found.Results[0].Relevance} vs {found.Results[1].Relevance}");
    }

    [Fact]
    public async Task SearchUpdatesLastAccessedAtOfWhatItRecalls()
    {
        await using var api = new MemoryApiFactory();
        using var client = api.CreateClient();
        var sister = await StoreAsync(client, "alice", SisterText);
        var tax = await StoreAsync(client, "alice", TaxText);
        var sisterBefore = await GetAsync(client, "alice", sister);
        var taxBefore = await GetAsync(client, "alice", tax);
        Assert.Equal(sisterBefore.CreatedAt, sisterBefore.LastAccessedAt);
        await Task.Delay(50, Ct);

        var found = await SearchAsync(client, new { userId = "alice", query = "sister Anna", limit = 1 });

        Assert.Equal([sister], found.Results.Select(r => r.Id));
        var sisterAfter = await GetAsync(client, "alice", sister);
        Assert.True(sisterAfter.LastAccessedAt > sisterBefore.LastAccessedAt, $"{sisterAfter.LastAccessedAt:O} > {sisterBefore.LastAccessedAt:O}");
        Assert.Equal(sisterBefore.CreatedAt, sisterAfter.CreatedAt);
        Assert.Equal(taxBefore.LastAccessedAt, (await GetAsync(client, "alice", tax)).LastAccessedAt);

        // Another user's search touches nothing of alice's.
        await SearchAsync(client, new { userId = "bob", query = "sister Anna" });
        Assert.Equal(sisterAfter.LastAccessedAt, (await GetAsync(client, "alice", sister)).LastAccessedAt);
    }

    [Fact]
    public async Task SameIdempotencyKeyAndBodyStoresOnceAndADifferentBodyConflicts()
    {
        await using var api = new MemoryApiFactory();
        using var client = api.CreateClient();
        var body = new { userId = "alice", text = SisterText, kind = "fact", importance = 0.7, tags = Family };

        using var first = await PostWithKeyAsync(client, body, "store-1");
        using var second = await PostWithKeyAsync(client, body, "store-1");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var firstBody = await first.Content.ReadFromJsonAsync<StoreMemoryResponse>(Ct);
        var secondBody = await second.Content.ReadFromJsonAsync<StoreMemoryResponse>(Ct);
        Assert.Equal(firstBody, secondBody);
        Assert.Equal([firstBody!.Id], (await ListAsync(client, "alice", "")).Items.Select(m => m.Id));

        using var conflict = await PostWithKeyAsync(client, body with { text = TaxText }, "store-1");
        var problem = await AssertProblemAsync(conflict, HttpStatusCode.Conflict);
        Assert.Contains("store-1", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var otherImportance = await PostWithKeyAsync(client, body with { importance = 0.1 }, "store-1");
        await AssertProblemAsync(otherImportance, HttpStatusCode.Conflict);

        using var otherKey = await PostWithKeyAsync(client, body, "store-2");
        Assert.Equal(HttpStatusCode.Created, otherKey.StatusCode);
        Assert.Equal(2, (await ListAsync(client, "alice", "")).Items.Count);
        Assert.Equal(SisterText, (await GetAsync(client, "alice", firstBody.Id)).Text);

        using var longKey = await PostWithKeyAsync(client, body, new string('k', 256));
        var longProblem = await AssertProblemAsync(longKey, HttpStatusCode.BadRequest);
        Assert.True(longProblem.GetProperty("errors").TryGetProperty("Idempotency-Key", out _), longProblem.ToString());
    }

    [Fact]
    public async Task ConcurrentRetriesWithOneIdempotencyKeyStoreOneMemory()
    {
        await using var api = new MemoryApiFactory();
        using var client = api.CreateClient();
        var body = new { userId = "alice", text = SisterText, tags = Array.Empty<string>() };

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PostWithKeyAsync(client, body, "retry")));
        try
        {
            Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, r.StatusCode.ToString()));
            var ids = new HashSet<Guid>();
            foreach (var response in responses)
            {
                ids.Add((await response.Content.ReadFromJsonAsync<StoreMemoryResponse>(Ct))!.Id);
            }

            Assert.Single(ids);
            Assert.Single((await ListAsync(client, "alice", "")).Items);
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Fact]
    public async Task ConversationTurnsAppendInSequenceAndReadTheLastOldestFirst()
    {
        await using var api = new MemoryApiFactory();
        using var client = api.CreateClient();

        using (var created = await client.PostAsJsonAsync("/api/conversations/trip-planning/turns", new { userId = "alice", role = "user", text = "Plan a trip to Lyon" }, Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.NotNull(created.Headers.Location);
            var turn = await created.Content.ReadFromJsonAsync<ConversationTurn>(Ct);
            Assert.NotNull(turn);
            Assert.Equal(("trip-planning", "alice", 1L, "user", "Plan a trip to Lyon"), (turn.ConversationId, turn.UserId, turn.Sequence, turn.Role, turn.Text));
        }

        Assert.Equal(2, (await AppendTurnAsync(client, "trip-planning", "alice", "assistant", "When do you leave?")).Sequence);
        Assert.Equal(3, (await AppendTurnAsync(client, "trip-planning", "alice", "user", "On Friday")).Sequence);
        Assert.Equal(1, (await AppendTurnAsync(client, "other", "alice", "user", "Another conversation")).Sequence);

        var last2 = await TurnsAsync(client, "trip-planning", "alice", "&last=2");
        Assert.Equal("trip-planning", last2.ConversationId);
        Assert.Equal([(2L, "assistant", "When do you leave?"), (3L, "user", "On Friday")], last2.Turns.Select(t => (t.Sequence, t.Role, t.Text)));

        var all = await TurnsAsync(client, "trip-planning", "alice", "");
        Assert.Equal([1L, 2L, 3L], all.Turns.Select(t => t.Sequence));
        Assert.Empty((await TurnsAsync(client, "never-started", "alice", "")).Turns);
    }

    [Fact]
    public async Task ConcurrentTurnsGetDistinctConsecutiveSequences()
    {
        await using var api = new MemoryApiFactory();
        using var client = api.CreateClient();

        var turns = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => AppendTurnAsync(client, "busy", "alice", "user", $"turn {i}")));

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), turns.Select(t => t.Sequence).Order());
    }

    [Fact]
    public async Task HealthReportsTheEmbeddedStoreAndTheLexicalEmbedder()
    {
        await using var api = new MemoryApiFactory();
        using var client = api.CreateClient();

        using var response = await client.GetAsync("/health", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        var checks = body.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c);
        Assert.Equal("Healthy", checks["memory-store"].GetProperty("status").GetString());
        Assert.Contains("embedded", checks["memory-store"].GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("Healthy", checks["embedder"].GetProperty("status").GetString());
        Assert.Contains("lexical", checks["embedder"].GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyConnectionStringsMeanNoQdrantAndNoOllama()
    {
        // What an unset variable looks like in some deployments (ConnectionStrings__ollama= in a .env file).
        await using var api = new MemoryApiFactory(new Dictionary<string, string>
        {
            ["ConnectionStrings:qdrant"] = "",
            ["ConnectionStrings:ollama"] = "",
        });
        using var client = api.CreateClient();

        using var response = await client.GetAsync("/health", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var stored = await client.PostAsJsonAsync("/api/memories", new { userId = "alice", text = SisterText }, Ct);
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        Assert.Equal("lexical-v1-384", (await stored.Content.ReadFromJsonAsync<StoreMemoryResponse>(Ct))!.Embedder);
    }

    [Fact]
    public async Task OpenApiDocumentListsTheMemoryRoutes()
    {
        await using var api = new MemoryApiFactory();
        using var client = api.CreateClient();

        using var response = await client.GetAsync("/openapi/v1.json", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("paths");
        string[] Operations(string path) =>
            paths.TryGetProperty(path, out var item) ? [.. item.EnumerateObject().Select(o => o.Name).Where(n => n is "get" or "post" or "delete").Order(StringComparer.Ordinal)] : [];

        var documented = string.Join(", ", paths.EnumerateObject().Select(p => p.Name));
        Assert.True(Operations("/api/memories").Length > 0, $"/api/memories is documented without a trailing slash (documented: {documented})");
        Assert.Equal(["get", "post"], Operations("/api/memories"));
        Assert.Equal(["post"], Operations("/api/memories/search"));
        Assert.Equal(["delete", "get"], Operations("/api/memories/{id}"));
        Assert.Equal(["delete"], Operations("/api/users/{userId}/memories"));
        Assert.Equal(["get"], Operations("/api/users/{userId}/export"));
        Assert.Equal(["get", "post"], Operations("/api/conversations/{conversationId}/turns"));
        Assert.Equal(["post"], Operations("/api/turns"));
        Assert.Equal(["get", "post"], Operations("/api/users/{userId}/usage/{day}"));
    }

    [Fact]
    public async Task TurnsOfSeveralConversationsAreAppendedInOneRequestInOrder()
    {
        await using var api = new MemoryApiFactory();
        using var client = api.CreateClient();
        using (var first = await client.PostAsJsonAsync("/api/conversations/c1/turns", new AppendTurnRequest("alice", "user", "earlier"), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        using var response = await client.PostAsJsonAsync("/api/turns", new
        {
            turns = new[]
            {
                new { userId = "alice", conversationId = "c1", role = "user", text = "hello" },
                new { userId = "bob", conversationId = "c1", role = "user", text = "hi" },
                new { userId = "alice", conversationId = "c1", role = "assistant", text = "Hello!" },
            },
        }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var turns = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("turns");
        Assert.Equal([("alice", 2L), ("bob", 1L), ("alice", 3L)], turns.EnumerateArray().Select(t => (t.GetProperty("userId").GetString(), t.GetProperty("sequence").GetInt64())));
        var alice = await client.GetFromJsonAsync<JsonElement>("/api/conversations/c1/turns?userId=alice", Ct);
        Assert.Equal(["earlier", "hello", "Hello!"], alice.GetProperty("turns").EnumerateArray().Select(t => t.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task ABatchWithOneBadTurnAppendsNone()
    {
        await using var api = new MemoryApiFactory();
        using var client = api.CreateClient();

        using var response = await client.PostAsJsonAsync("/api/turns", new
        {
            turns = new object[]
            {
                new { userId = "alice", conversationId = "c1", role = "user", text = "hello" },
                new { userId = "alice", conversationId = "c1", role = "assistant", text = "" },
            },
        }, Ct);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("turns[1].text", out _), problem.ToString());
        var alice = await client.GetFromJsonAsync<JsonElement>("/api/conversations/c1/turns?userId=alice", Ct);
        Assert.Empty(alice.GetProperty("turns").EnumerateArray());
    }

    private static async Task<Guid> StoreAsync(HttpClient client, string userId, string text, string? kind = null, double? importance = null, string[]? tags = null)
    {
        using var response = await client.PostAsJsonAsync("/api/memories", new StoreMemoryRequest(userId, text, kind, importance, tags), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<StoreMemoryResponse>(Ct))!.Id;
    }

    private static async Task<HttpResponseMessage> PostWithKeyAsync<T>(HttpClient client, T body, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/memories") { Content = JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return await client.SendAsync(request, Ct);
    }

    private static async Task<MemoryResponse> GetAsync(HttpClient client, string userId, Guid id)
    {
        using var response = await client.GetAsync($"/api/memories/{id}?userId={Uri.EscapeDataString(userId)}", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<MemoryResponse>(Ct))!;
    }

    private static async Task<MemoryListResponse> ListAsync(HttpClient client, string userId, string query)
    {
        using var response = await client.GetAsync($"/api/memories?userId={Uri.EscapeDataString(userId)}&{query}", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<MemoryListResponse>(Ct))!;
    }

    private static async Task<SearchMemoriesResponse> SearchAsync<T>(HttpClient client, T request)
    {
        using var response = await client.PostAsJsonAsync("/api/memories/search", request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<SearchMemoriesResponse>(Ct))!;
    }

    private static async Task<ConversationTurn> AppendTurnAsync(HttpClient client, string conversationId, string userId, string role, string text)
    {
        using var response = await client.PostAsJsonAsync($"/api/conversations/{conversationId}/turns", new AppendTurnRequest(userId, role, text), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ConversationTurn>(Ct))!;
    }

    private static async Task<ConversationTurnsResponse> TurnsAsync(HttpClient client, string conversationId, string userId, string query)
    {
        using var response = await client.GetAsync($"/api/conversations/{conversationId}/turns?userId={Uri.EscapeDataString(userId)}{query}", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ConversationTurnsResponse>(Ct))!;
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.True(problem.TryGetProperty("requestId", out var requestId), $"the problem carries the request id: {text}");
        Assert.Equal(response.Headers.GetValues("X-Request-ID").Single(), requestId.GetString());
        return problem;
    }

    private static async Task<JsonElement> AssertNotFoundProblemAsync(HttpResponseMessage response, Guid id)
    {
        var problem = await AssertProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("Memory not found", problem.GetProperty("title").GetString());
        Assert.Contains(id.ToString(), problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        return problem;
    }
}
