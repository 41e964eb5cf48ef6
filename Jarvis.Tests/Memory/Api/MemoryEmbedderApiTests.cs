using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Jarvis.Tests.Infrastructure.Ollama;

namespace Jarvis.Tests.Memory.Api;

/// <summary>Which embedder the service uses: the configured Ollama model, or the lexical one standing in (Degraded).</summary>
public sealed class MemoryEmbedderApiTests
{
    [Fact]
    public async Task WithTheAppHostsModelConnectionStringMemoriesAreEmbeddedByOllama()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var ollama = await FakeOllamaServer.StartAsync(["nomic-embed-text"], ct);
        await using var factory = new MemoryApiFactory(new Dictionary<string, string>
        {
            ["ConnectionStrings:ollama-nomic-embed-text"] = $"Endpoint={ollama.BaseAddress};Model=nomic-embed-text",
        });
        using var client = factory.CreateClient();

        var stored = await client.PostAsJsonAsync("/api/memories", new { userId = "alice", text = "I prefer green tea" }, ct);

        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        var embedder = (await stored.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("embedder").GetString();
        Assert.StartsWith("ollama-nomic-embed-text-", embedder, StringComparison.Ordinal);
        Assert.Contains(ollama.EmbedRequests, r => r.Body.Contains("I prefer green tea", StringComparison.Ordinal));
        var check = await EmbedderCheckAsync(client, ct);
        Assert.Equal("Healthy", check.GetProperty("status").GetString());
        Assert.StartsWith("ollama nomic-embed-text", check.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnreachableOllamaLeavesTheLexicalEmbedderStandingInAndHealthDegraded()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var factory = new MemoryApiFactory(new Dictionary<string, string>
        {
            ["ConnectionStrings:ollama"] = "Endpoint=http://127.0.0.1:1",
            ["Memory:Embeddings:FirstAttemptTimeout"] = "00:00:01",
        });
        using var client = factory.CreateClient();

        var stored = await client.PostAsJsonAsync("/api/memories", new { userId = "alice", text = "I prefer green tea" }, ct);

        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        Assert.Equal("lexical-v1-384", (await stored.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("embedder").GetString());
        var check = await EmbedderCheckAsync(client, ct);
        Assert.Equal("Degraded", check.GetProperty("status").GetString());
        Assert.Contains("lexical embedder standing in", check.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> EmbedderCheckAsync(HttpClient client, CancellationToken ct)
    {
        var health = await client.GetFromJsonAsync<JsonElement>("/health", ct);
        return health.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "embedder");
    }
}
