using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Jarvis.Tests.Memory.Api;

/// <summary>The API over the Qdrant backend (a spec-following fake): the same behaviour, and backend failures as problems.</summary>
public sealed class MemoryBackendApiTests
{
    [Fact]
    public async Task WithQdrantConfiguredMemoriesAreStoredAndRecalledThroughIt()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var qdrant = await FakeQdrantServer.StartAsync("qdrant-key", ct);
        await using var factory = new MemoryApiFactory(new Dictionary<string, string>
        {
            ["ConnectionStrings:qdrant_http"] = $"Endpoint={qdrant.BaseAddress.ToString().TrimEnd('/')};Key=qdrant-key",
        });
        using var client = factory.CreateClient();

        var stored = await client.PostAsJsonAsync("/api/memories", new { userId = "alice", text = "My sister Anna lives in Lyon" }, ct);
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        var search = await client.PostAsJsonAsync("/api/memories/search", new { userId = "alice", query = "where does Anna live" }, ct);
        var results = (await search.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("results");

        Assert.Equal("My sister Anna lives in Lyon", Assert.Single(results.EnumerateArray()).GetProperty("text").GetString());
        Assert.Contains(qdrant.CollectionNames, c => c == "jarvis-memories-lexical-v1-384");
        var health = await client.GetFromJsonAsync<JsonElement>("/health", ct);
        Assert.Contains(health.GetProperty("checks").EnumerateArray(), c => c.GetProperty("name").GetString() == "memory-store" && c.GetProperty("description").GetString() == "qdrant store");
    }

    [Fact]
    public async Task AQdrantThatRefusesTheKeyIsA502ProblemWithoutTheKey()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var qdrant = await FakeQdrantServer.StartAsync("the-right-key", ct);
        await using var factory = new MemoryApiFactory(new Dictionary<string, string>
        {
            ["ConnectionStrings:qdrant_http"] = $"Endpoint={qdrant.BaseAddress.ToString().TrimEnd('/')};Key=a-wrong-key",
        });
        using var client = factory.CreateClient();

        var response = await client.PostAsJsonAsync("/api/memories", new { userId = "alice", text = "anything" }, ct);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync(ct);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal("Qdrant failed", problem.GetProperty("title").GetString());
        Assert.Contains("401", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(response.Headers.GetValues("X-Request-ID").Single(), problem.GetProperty("requestId").GetString());
        Assert.DoesNotContain("a-wrong-key", body, StringComparison.Ordinal);
    }
}
