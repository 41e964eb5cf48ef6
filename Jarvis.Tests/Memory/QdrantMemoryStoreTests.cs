using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Jarvis.Memory.Storage;
using Jarvis.Memory.Storage.Qdrant;
using Microsoft.Extensions.Configuration;

namespace Jarvis.Tests.Memory;

/// <summary>
/// The shared behaviour on the Qdrant backend, against <see cref="FakeQdrantServer"/> with an API key; then what is
/// particular to Qdrant: the exact requests, the key, and Qdrant's errors.
/// </summary>
public sealed class QdrantMemoryStoreTests : MemoryStoreBehaviourTests
{
    private const string ApiKey = "s3cr3t-test-key-0123456789";

    private readonly List<HttpClient> _clients = [];
    private FakeQdrantServer? _server;

    private FakeQdrantServer Server => _server ?? throw new InvalidOperationException("The server starts with the store.");

    protected override async Task<IMemoryStore> CreateStoreAsync()
    {
        _server = await FakeQdrantServer.StartAsync(ApiKey, Ct);
        return NewStore(ApiKey);
    }

    protected override async ValueTask CleanupAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public void Backend_is_qdrant() => Assert.Equal("qdrant", Store.Backend);

    [Fact]
    public async Task EnsureCollection_creates_a_cosine_collection_of_the_embedders_size_with_payload_indexes()
    {
        var embedder = new EmbedderDescriptor("ollama", "nomic-embed-text", 768);
        var before = Server.Requests.Count;

        await Store.EnsureCollectionAsync(embedder, Ct);

        var requests = Server.Requests.Skip(before).ToList();
        var collection = "jarvis-memories-ollama-nomic-embed-text-768";
        Assert.Equal(("GET", $"/collections/{collection}/exists"), (requests[0].Method, requests[0].Path));
        Assert.Equal(("PUT", $"/collections/{collection}"), (requests[1].Method, requests[1].Path));
        AssertJson("""{"vectors":{"size":768,"distance":"Cosine"}}""", requests[1].Body);
        var indexes = requests.Skip(2).ToList();
        Assert.All(indexes, request => Assert.Equal(("PUT", $"/collections/{collection}/index", "?wait=true"), (request.Method, request.Path, request.Query)));
        Assert.Contains(indexes, request => JsonEquals("""{"field_name":"user_id","field_schema":"keyword"}""", request.Body));
        Assert.Contains(indexes, request => JsonEquals("""{"field_name":"tags","field_schema":"keyword"}""", request.Body));
        Assert.Equal("keyword", Server.IndexesOf(collection)["user_id"]);
        Assert.All(requests, request => Assert.Equal(ApiKey, request.ApiKey));
    }

    [Fact]
    public async Task EnsureCollection_of_an_existing_collection_does_not_create_it_again()
    {
        using var second = NewStore(ApiKey);
        var before = Server.Requests.Count;

        await second.EnsureCollectionAsync(Embedder, Ct);
        await second.EnsureCollectionAsync(Embedder, Ct);

        var requests = Server.Requests.Skip(before).ToList();
        Assert.DoesNotContain(requests, request => request is { Method: "PUT", Path: "/collections/jarvis-memories-test-unit-4" });
        Assert.Single(requests, request => request.Path.EndsWith("/exists", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Upsert_waits_and_stores_the_payload_fields()
    {
        var memory = Memory("alice", "I prefer tea", [1, 2, 2, 0], T0, ["drinks"], Jarvis.Memory.Memories.MemoryKind.Preference, 0.25, T0.AddMinutes(5));
        var before = Server.Requests.Count;

        await Store.UpsertAsync(memory, Ct);

        var upsert = Assert.Single(Server.Requests.Skip(before));
        Assert.Equal(("PUT", "/collections/jarvis-memories-test-unit-4/points", "?wait=true"), (upsert.Method, upsert.Path, upsert.Query));
        Assert.StartsWith("application/json", upsert.ContentType, StringComparison.Ordinal);
        var point = JsonNode.Parse(upsert.Body)!["points"]![0]!;
        Assert.Equal(memory.Memory.Id.ToString(), point["id"]!.GetValue<string>());
        Assert.Equal([1f, 2f, 2f, 0f], point["vector"]!.AsArray().Select(value => value!.GetValue<float>()));
        var payload = Server.PayloadOf("jarvis-memories-test-unit-4", memory.Memory.Id.ToString())!;
        Assert.Equal("alice", payload["user_id"]!.GetValue<string>());
        Assert.Equal("I prefer tea", payload["text"]!.GetValue<string>());
        Assert.Equal("preference", payload["kind"]!.GetValue<string>());
        Assert.Equal(0.25, payload["importance"]!.GetValue<double>());
        Assert.Equal(["drinks"], payload["tags"]!.AsArray().Select(tag => tag!.GetValue<string>()));
        Assert.Equal(T0, DateTimeOffset.Parse(payload["created_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(T0.AddMinutes(5), DateTimeOffset.Parse(payload["last_accessed_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("test-unit-4", payload["embedder"]!.GetValue<string>());
    }

    [Fact]
    public async Task Search_uses_the_query_endpoint_with_a_user_filter_and_the_tags()
    {
        await Store.UpsertAsync(Memory("alice", "m", [1, 0, 0, 0], T0, ["a"]), Ct);
        var before = Server.Requests.Count;

        await Store.SearchAsync("alice", Embedder, new float[] { 1, 0, 0, 0 }, 3, ["a"], Ct);

        var query = Assert.Single(Server.Requests.Skip(before));
        Assert.Equal(("POST", "/collections/jarvis-memories-test-unit-4/points/query"), (query.Method, query.Path));
        AssertJson(
            """
            {"query":[1,0,0,0],"limit":3,"filter":{"must":[{"key":"user_id","match":{"value":"alice"}},{"key":"tags","match":{"value":"a"}}]},"with_payload":true}
            """,
            query.Body);
        Assert.DoesNotContain(Server.Requests, request => request.Path.EndsWith("/points/search", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deletes_and_touches_carry_the_user_filter_and_wait()
    {
        var memory = Memory("alice", "m", [1, 0, 0, 0], T0);
        await Store.UpsertAsync(memory, Ct);
        var before = Server.Requests.Count;

        await Store.TouchAsync("alice", [memory.Memory.Id], T0.AddDays(1), Ct);
        await Store.DeleteAsync("alice", memory.Memory.Id, Ct);

        var writes = Server.Requests.Skip(before).Where(request => request.Path.EndsWith("/payload", StringComparison.Ordinal) || request.Path.EndsWith("/delete", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(writes);
        Assert.All(writes, request =>
        {
            Assert.Equal("?wait=true", request.Query);
            Assert.Contains("""{"key":"user_id","match":{"value":"alice"}}""", request.Body, StringComparison.Ordinal);
            Assert.Contains("has_id", request.Body, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Every_request_carries_the_api_key()
    {
        await Store.UpsertAsync(Memory("alice", "m", [1, 0, 0, 0], T0), Ct);
        await Store.ListAsync("alice", null, 10, Ct);
        await Store.AppendTurnAsync("alice", "c", "user", "hi", T0, Ct);
        await Store.CountAsync(Ct);

        Assert.All(Server.Requests, request => Assert.Equal(ApiKey, request.ApiKey));
    }

    [Fact]
    public async Task A_wrong_key_fails_with_a_clear_error_that_does_not_print_the_key()
    {
        const string wrongKey = "wrong-key-do-not-print-9876";
        using var store = NewStore(wrongKey);

        var exception = await Assert.ThrowsAsync<QdrantException>(() => store.CheckHealthAsync(Ct));
        var upsert = await Assert.ThrowsAsync<QdrantException>(() => store.UpsertAsync(Memory("alice", "m", [1, 0, 0, 0], T0), Ct));

        Assert.Equal(HttpStatusCode.Unauthorized, exception.StatusCode);
        Assert.Contains("API key", exception.Message, StringComparison.Ordinal);
        Assert.Equal(FakeQdrantServer.UnauthorizedText, exception.QdrantError);
        Assert.DoesNotContain(wrongKey, exception.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, exception.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, upsert.StatusCode);
        Assert.DoesNotContain(wrongKey, upsert.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_key_is_refused_too()
    {
        using var store = NewStore(apiKey: null);

        var exception = await Assert.ThrowsAsync<QdrantException>(() => store.CountAsync(Ct));

        Assert.Equal(HttpStatusCode.Unauthorized, exception.StatusCode);
        Assert.Null(Server.Requests[^1].ApiKey);
    }

    [Fact]
    public async Task Qdrants_400_error_text_surfaces_in_the_exception()
    {
        // A 3-dimensional vector labelled with the 4-dimensional embedder: Qdrant refuses it.
        var wrong = Memory("alice", "m", [1, 0, 0], T0, embedder: OtherEmbedder);
        wrong = wrong with { Memory = wrong.Memory with { Embedder = Embedder.Id } };

        var exception = await Assert.ThrowsAsync<QdrantException>(() => Store.UpsertAsync(wrong, Ct));

        Assert.Equal(HttpStatusCode.BadRequest, exception.StatusCode);
        Assert.Equal("Wrong input: Vector dimension error: expected dim: 4, got 3", exception.QdrantError);
        Assert.Contains("Wrong input: Vector dimension error: expected dim: 4, got 3", exception.Message, StringComparison.Ordinal);
        Assert.Contains("400", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_search_in_a_collection_that_does_not_exist_is_empty()
    {
        var unknown = new EmbedderDescriptor("never", "made", 4);

        Assert.Empty(await Store.SearchAsync("alice", unknown, new float[] { 1, 0, 0, 0 }, 5, [], Ct));
        Assert.Empty(await Store.ListUsersAsync(unknown, Ct));
    }

    [Fact]
    public async Task Turns_live_in_their_own_collection_and_are_not_counted_as_memories()
    {
        await Store.AppendTurnAsync("alice", "c1", "user", "hello", T0, Ct);

        Assert.Contains(QdrantMemoryStore.TurnCollection, Server.CollectionNames);
        Assert.Equal(0, await Store.CountAsync(Ct));
    }

    [Fact]
    public async Task A_cursor_that_was_not_issued_by_the_store_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ListAsync("alice", "not-a-cursor!", 5, Ct));
    }

    // ---- connection strings ----

    [Theory]
    [InlineData("Endpoint=http://localhost:6333;Key=abc", "http://localhost:6333/", "abc")]
    [InlineData("endpoint=https://qdrant.example:443/;key=abc", "https://qdrant.example/", "abc")]
    [InlineData("Endpoint=http://qdrant:6333", "http://qdrant:6333/", null)]
    [InlineData("http://127.0.0.1:6333", "http://127.0.0.1:6333/", null)]
    public void Connection_strings_parse(string connectionString, string endpoint, string? key)
    {
        var connection = QdrantConnection.Parse(connectionString);

        Assert.Equal(new Uri(endpoint), connection.Endpoint);
        Assert.Equal(key, connection.ApiKey);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Key=topsecret")]
    [InlineData("Endpoint=not a url;Key=topsecret")]
    [InlineData("Endpoint=ftp://host;Key=topsecret")]
    [InlineData("Endpoint='unterminated;Key=topsecret")]
    public void Malformed_connection_strings_fail_clearly_without_the_key(string connectionString)
    {
        var exception = Assert.Throws<FormatException>(() => QdrantConnection.Parse(connectionString));

        Assert.Contains("Qdrant", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("topsecret", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configuration_prefers_the_http_connection_string()
    {
        var both = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:qdrant"] = "Endpoint=http://qdrant:6334;Key=grpc-secret",
            ["ConnectionStrings:qdrant_http"] = "Endpoint=http://qdrant:6333;Key=http-secret",
        }).Build();
        var grpcOnly = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:qdrant"] = "Endpoint=http://qdrant:6334;Key=k",
        }).Build();

        Assert.Equal(6333, QdrantConnection.FromConfiguration(both)!.Endpoint.Port);
        Assert.Equal(6334, QdrantConnection.FromConfiguration(grpcOnly)!.Endpoint.Port);
        Assert.Null(QdrantConnection.FromConfiguration(new ConfigurationBuilder().Build()));
        Assert.Equal("http-secret", QdrantConnection.FromConfiguration(both)!.ApiKey);
        Assert.DoesNotContain("secret", QdrantConnection.FromConfiguration(both)!.ToString(), StringComparison.Ordinal);
    }

    // ---- the fake's fidelity ----

    [Fact]
    public async Task Fake_answers_like_qdrant_for_a_missing_collection_a_bad_body_and_a_missing_key()
    {
        using var client = new HttpClient { BaseAddress = Server.BaseAddress };
        client.DefaultRequestHeaders.Add("api-key", ApiKey);

        using var missing = await client.PostAsync("collections/nope/points/count", Json("""{"exact":true}"""), Ct);
        using var unknownField = await client.PostAsync("collections/jarvis-memories-test-unit-4/points/scroll", Json("""{"limitt":3}"""), Ct);
        using var badJson = await client.PostAsync("collections/jarvis-memories-test-unit-4/points/scroll", Json("{"), Ct);
        using var noKey = await new HttpClient().GetAsync(new Uri(Server.BaseAddress, "collections"), Ct);
        using var ready = await new HttpClient().GetAsync(new Uri(Server.BaseAddress, "readyz"), Ct);

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var notFound = JsonNode.Parse(await missing.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("Not found: Collection `nope` doesn't exist!", notFound["status"]!["error"]!.GetValue<string>());
        Assert.NotNull(notFound["time"]);
        Assert.Null(notFound["result"]);
        Assert.Equal(HttpStatusCode.BadRequest, unknownField.StatusCode);
        Assert.StartsWith("Format error in JSON body: unknown field `limitt`", JsonNode.Parse(await unknownField.Content.ReadAsStringAsync(Ct))!["status"]!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Equal("text/plain", noKey.Content.Headers.ContentType?.MediaType);
        Assert.Equal(FakeQdrantServer.UnauthorizedText, await noKey.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Fake_refuses_an_offset_with_order_by_and_order_by_without_a_range_index()
    {
        using var client = new HttpClient { BaseAddress = Server.BaseAddress };
        client.DefaultRequestHeaders.Add("api-key", ApiKey);
        const string path = "collections/jarvis-memories-test-unit-4/points/scroll";

        using var withOffset = await client.PostAsync(path, Json("""{"offset":1,"order_by":{"key":"created_at_ticks","direction":"desc"}}"""), Ct);
        using var noIndex = await client.PostAsync(path, Json("""{"order_by":"text"}"""), Ct);
        using var ok = await client.PostAsync(path, Json("""{"limit":2,"order_by":{"key":"created_at_ticks","direction":"desc"}}"""), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, withOffset.StatusCode);
        Assert.Contains("Cannot use an `offset` when using `order_by`", await withOffset.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, noIndex.StatusCode);
        Assert.Contains("No range index for `order_by` key: text", await noIndex.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var result = JsonNode.Parse(await ok.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("ok", result["status"]!.GetValue<string>());
        Assert.Null(result["result"]!["next_page_offset"]);
    }

    private QdrantMemoryStore NewStore(string? apiKey)
    {
        var client = new HttpClient();
        _clients.Add(client);
        var connectionString = apiKey is null ? $"Endpoint={Server.BaseAddress}" : $"Endpoint={Server.BaseAddress};Key={apiKey}";
        return new QdrantMemoryStore(client, QdrantConnection.Parse(connectionString), TimeProvider.System);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static bool JsonEquals(string expected, string actual) => JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual));

    private static void AssertJson(string expected, string actual) =>
        Assert.True(JsonEquals(expected, actual), $"expected {expected.Trim()}\nactual   {actual}");
}
