using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.Memory.Conversations;
using Jarvis.Memory.Memories;
using Jarvis.Memory.Usage;

namespace Jarvis.Memory.Storage.Qdrant;

/// <summary>
/// The Qdrant backend, over Qdrant's REST API as its OpenAPI document (v1.19) defines it. Memories of each embedder
/// live in the collection <c>jarvis-memories-{embedder id}</c> (cosine distance, keyword index on <c>user_id</c> and
/// <c>tags</c>, integer index on <c>created_at_ticks</c> for newest-first listing); conversation turns in
/// <c>jarvis-turns</c>. Every read and write carries a <c>user_id</c> filter or checks the point's <c>user_id</c>.
/// </summary>
/// <remarks>
/// The client is meant to come from <see cref="IHttpClientFactory"/>, so ServiceDefaults' resilience pipeline applies.
/// Conversation turns need no vector, but every Qdrant collection version in use has one (collections without any
/// vector need an empty named-vector map that older servers reject), so <c>jarvis-turns</c> has a one-dimensional
/// constant vector: 4 bytes a turn, never searched. Turn sequence numbers are assigned under a lock of this instance
/// (register the store as a singleton); two processes appending to one conversation at the same instant could both
/// take the same number, and no turn would be lost.
/// </remarks>
public sealed class QdrantMemoryStore : IMemoryStore, IDisposable
{
    /// <summary>The prefix of the memory collections' names.</summary>
    public const string MemoryCollectionPrefix = "jarvis-memories-";

    /// <summary>The collection of conversation turns.</summary>
    public const string TurnCollection = "jarvis-turns";

    /// <summary>The collection of users' daily LLM token counts: one point per user and UTC day.</summary>
    public const string UsageCollection = "jarvis-usage";

    // The most turns of one user read to list their conversations.
    private const int MaxListedTurns = 10_000;

    private const int ScrollPageSize = 256;

    private static readonly (string Field, string Schema)[] s_memoryIndexes =
        [("user_id", "keyword"), ("tags", "keyword"), ("created_at_ticks", "integer")];

    private static readonly (string Field, string Schema)[] s_turnIndexes =
        [("user_id", "keyword"), ("conversation_id", "keyword"), ("sequence", "integer")];

    private static readonly (string Field, string Schema)[] s_usageIndexes = [("user_id", "keyword")];

    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, bool> _ensured = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _turnLock = new(1, 1);
    private readonly SemaphoreSlim _usageLock = new(1, 1);

    /// <summary>Creates the store over <paramref name="http"/>, pointing it at the connection's endpoint.</summary>
    /// <param name="http">A client from <see cref="IHttpClientFactory"/> (typed client); its base address and key are set here.</param>
    /// <param name="connection">Where Qdrant is and its API key.</param>
    /// <param name="time">The clock (kept for symmetry with the embedded store; times come from the callers).</param>
    public QdrantMemoryStore(HttpClient http, QdrantConnection connection, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(time);
        _http = http;
        var endpoint = connection.Endpoint.ToString();
        _http.BaseAddress = new Uri(endpoint.EndsWith('/') ? endpoint : endpoint + "/");
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (connection.ApiKey is { } key)
        {
            _http.DefaultRequestHeaders.TryAddWithoutValidation("api-key", key);
        }
    }

    /// <inheritdoc />
    public string Backend => "qdrant";

    /// <summary>Releases the locks; the <see cref="HttpClient"/> belongs to its factory.</summary>
    public void Dispose()
    {
        _turnLock.Dispose();
        _usageLock.Dispose();
    }

    /// <summary>The memory collection of an embedder id.</summary>
    public static string MemoryCollection(string embedderId) => MemoryCollectionPrefix + embedderId;

    /// <inheritdoc />
    public Task EnsureCollectionAsync(EmbedderDescriptor embedder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        return EnsureAsync(MemoryCollection(embedder.Id), embedder.Dimensions, s_memoryIndexes, cancellationToken);
    }

    /// <inheritdoc />
    public async Task UpsertAsync(StoredMemory memory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(memory);
        var record = memory.Memory;
        var collection = MemoryCollection(record.Embedder);
        await EnsureAsync(collection, memory.Vector.Length, s_memoryIndexes, cancellationToken);

        var point = new JsonObject
        {
            ["id"] = PointId(record.Id),
            ["vector"] = VectorJson(memory.Vector.Span),
            ["payload"] = MemoryPayload(record),
        };
        await SendAsync(HttpMethod.Put, $"{CollectionPath(collection)}/points?wait=true", new JsonObject { ["points"] = new JsonArray(point) }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task MoveAsync(StoredMemory memory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(memory);
        await UpsertAsync(memory, cancellationToken);
        var target = MemoryCollection(memory.Memory.Embedder);
        var filter = UserFilter(memory.Memory.UserId, HasId([memory.Memory.Id]));
        foreach (var collection in (await ListMemoryCollectionsAsync(cancellationToken)).Where(c => c != target))
        {
            await SendOrNullWhenMissingAsync(HttpMethod.Post, $"{CollectionPath(collection)}/points/delete?wait=true", new JsonObject { ["filter"] = filter.DeepClone() }, cancellationToken);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<VectorMatch>> SearchAsync(
        string userId, EmbedderDescriptor embedder, ReadOnlyMemory<float> query, int limit, IReadOnlyCollection<string> tags, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentNullException.ThrowIfNull(embedder);
        if (limit <= 0)
        {
            return [];
        }

        var must = new JsonArray(MatchValue("user_id", userId));
        foreach (var tag in tags ?? [])
        {
            must.Add(MatchValue("tags", tag));
        }

        var body = new JsonObject
        {
            ["query"] = VectorJson(query.Span),
            ["limit"] = limit,
            ["filter"] = new JsonObject { ["must"] = must },
            ["with_payload"] = true,
        };
        var result = await SendOrNullWhenMissingAsync(HttpMethod.Post, $"{CollectionPath(MemoryCollection(embedder.Id))}/points/query", body, cancellationToken);
        if (result is null)
        {
            return [];
        }

        var matches = new List<VectorMatch>();
        foreach (var point in Array(result["points"]))
        {
            var memory = ReadMemory(point!);
            if (memory.UserId == userId)
            {
                matches.Add(new VectorMatch(memory, point!["score"]!.GetValue<double>()));
            }
        }

        return matches;
    }

    /// <inheritdoc />
    public async Task<MemoryRecord?> GetAsync(string userId, Guid id, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        foreach (var collection in await ListMemoryCollectionsAsync(cancellationToken))
        {
            var body = new JsonObject { ["ids"] = new JsonArray(PointId(id)), ["with_payload"] = true, ["with_vector"] = false };
            var result = await SendOrNullWhenMissingAsync(HttpMethod.Post, $"{CollectionPath(collection)}/points", body, cancellationToken);
            foreach (var point in Array(result))
            {
                // Retrieval by id has no filter: the owner is checked here, so a guessed id yields nothing.
                if (point?["payload"]?["user_id"]?.GetValue<string>() == userId)
                {
                    return ReadMemory(point);
                }
            }
        }

        return null;
    }

    /// <inheritdoc />
    public async Task<MemoryPage> ListAsync(string userId, string? cursor, int limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var position = cursor is null ? null : ListCursor.Decode(cursor);

        // Qdrant refuses an id offset with order_by; paging is start_from (inclusive) on the last page's oldest
        // creation time, minus the ids already returned at exactly that time. Exact, whatever the ties.
        var candidates = new List<MemoryRecord>();
        foreach (var collection in await ListMemoryCollectionsAsync(cancellationToken))
        {
            var filter = UserFilter(userId);
            if (position is { Ids.Length: > 0 })
            {
                filter["must_not"] = new JsonArray(HasId(position.Ids));
            }

            var orderBy = new JsonObject { ["key"] = "created_at_ticks", ["direction"] = "desc" };
            if (position is not null)
            {
                orderBy["start_from"] = position.Ticks;
            }

            var body = new JsonObject
            {
                ["limit"] = limit + 1,
                ["filter"] = filter,
                ["with_payload"] = true,
                ["order_by"] = orderBy,
            };
            var result = await SendOrNullWhenMissingAsync(HttpMethod.Post, $"{CollectionPath(collection)}/points/scroll", body, cancellationToken);
            candidates.AddRange(Array(result?["points"]).Select(point => ReadMemory(point!)).Where(memory => memory.UserId == userId));
        }

        var ordered = candidates
            .OrderByDescending(memory => memory.CreatedAt.UtcTicks)
            .ThenBy(memory => memory.Id)
            .ToList();
        var page = ordered.Take(limit).ToList();
        if (ordered.Count <= limit)
        {
            return new MemoryPage(page, null);
        }

        var boundary = page[^1].CreatedAt.UtcTicks;
        var atBoundary = page.Where(memory => memory.CreatedAt.UtcTicks == boundary).Select(memory => memory.Id);
        if (position is not null && position.Ticks == boundary)
        {
            atBoundary = position.Ids.Concat(atBoundary);
        }

        return new MemoryPage(page, new ListCursor(boundary, [.. atBoundary]).Encode());
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredMemory> ReadAllAsync(string userId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        foreach (var collection in await ListMemoryCollectionsAsync(cancellationToken))
        {
            JsonNode? offset = null;
            do
            {
                var body = new JsonObject
                {
                    ["limit"] = ScrollPageSize,
                    ["filter"] = UserFilter(userId),
                    ["with_payload"] = true,
                    ["with_vector"] = true,
                };
                if (offset is not null)
                {
                    body["offset"] = offset.DeepClone();
                }

                var result = await SendOrNullWhenMissingAsync(HttpMethod.Post, $"{CollectionPath(collection)}/points/scroll", body, cancellationToken);
                foreach (var point in Array(result?["points"]))
                {
                    var memory = ReadMemory(point!);
                    if (memory.UserId == userId)
                    {
                        yield return new StoredMemory(memory, ReadVector(point!["vector"]));
                    }
                }

                offset = result?["next_page_offset"];
            }
            while (offset is not null);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListUsersAsync(EmbedderDescriptor embedder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        var path = $"{CollectionPath(MemoryCollection(embedder.Id))}/facet";

        // The facet has no paging: ask for more values until fewer than asked for come back.
        for (var limit = 1024; ; limit *= 4)
        {
            var body = new JsonObject { ["key"] = "user_id", ["limit"] = limit, ["exact"] = true };
            var result = await SendOrNullWhenMissingAsync(HttpMethod.Post, path, body, cancellationToken);
            var hits = Array(result?["hits"]).ToList();
            if (hits.Count < limit)
            {
                return [.. hits.Select(hit => hit!["value"]!.GetValue<string>()).Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string userId, Guid id, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var deleted = false;
        foreach (var collection in await ListMemoryCollectionsAsync(cancellationToken))
        {
            // Both conditions in one filter: another user's point with this id is neither counted nor deleted.
            var filter = UserFilter(userId, HasId([id]));
            if (await CountAsync(collection, filter, cancellationToken) == 0)
            {
                continue;
            }

            await SendOrNullWhenMissingAsync(HttpMethod.Post, $"{CollectionPath(collection)}/points/delete?wait=true", new JsonObject { ["filter"] = filter }, cancellationToken);
            deleted = true;
        }

        return deleted;
    }

    /// <inheritdoc />
    public async Task<long> DeleteUserAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        long deleted = 0;
        var collections = await ListCollectionsAsync(cancellationToken);
        foreach (var collection in collections.Where(IsMemoryCollection))
        {
            deleted += await CountAsync(collection, UserFilter(userId), cancellationToken);
            await SendOrNullWhenMissingAsync(HttpMethod.Post, $"{CollectionPath(collection)}/points/delete?wait=true", new JsonObject { ["filter"] = UserFilter(userId) }, cancellationToken);
        }

        if (collections.Contains(TurnCollection))
        {
            await SendOrNullWhenMissingAsync(HttpMethod.Post, $"{CollectionPath(TurnCollection)}/points/delete?wait=true", new JsonObject { ["filter"] = UserFilter(userId) }, cancellationToken);
        }

        return deleted;
    }

    /// <inheritdoc />
    public async Task TouchAsync(string userId, IReadOnlyCollection<Guid> ids, DateTimeOffset accessedAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return;
        }

        foreach (var collection in await ListMemoryCollectionsAsync(cancellationToken))
        {
            // Set by filter, not by id list: points of other users never match.
            var body = new JsonObject
            {
                ["payload"] = new JsonObject { ["last_accessed_at"] = Timestamp(accessedAt) },
                ["filter"] = UserFilter(userId, HasId(ids)),
            };
            await SendOrNullWhenMissingAsync(HttpMethod.Post, $"{CollectionPath(collection)}/points/payload?wait=true", body, cancellationToken);
        }
    }

    /// <inheritdoc />
    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        long total = 0;
        foreach (var collection in await ListMemoryCollectionsAsync(cancellationToken))
        {
            total += await CountAsync(collection, filter: null, cancellationToken);
        }

        return total;
    }

    /// <inheritdoc />
    /// <remarks>One upsert of every turn's point, waited for: Qdrant applies a batch as one operation.</remarks>
    public async Task<IReadOnlyList<ConversationTurn>> AppendTurnsAsync(IReadOnlyList<NewTurn> turns, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turns);
        foreach (var turn in turns)
        {
            ArgumentException.ThrowIfNullOrEmpty(turn.UserId);
            ArgumentException.ThrowIfNullOrEmpty(turn.ConversationId);
            ArgumentNullException.ThrowIfNull(turn.Role);
            ArgumentNullException.ThrowIfNull(turn.Text);
        }

        await EnsureAsync(TurnCollection, 1, s_turnIndexes, cancellationToken);

        // Sequence numbers are read, then written: one appender at a time, so two turns never get the same number.
        await _turnLock.WaitAsync(cancellationToken);
        try
        {
            var next = new Dictionary<(string UserId, string ConversationId), long>();
            var appended = new List<ConversationTurn>(turns.Count);
            var points = new JsonArray();
            foreach (var turn in turns)
            {
                var key = (turn.UserId, turn.ConversationId);
                if (!next.TryGetValue(key, out var sequence))
                {
                    var last = await ReadTurnsAsync(turn.UserId, turn.ConversationId, 1, cancellationToken);
                    sequence = last.Count == 0 ? 1 : last[0].Sequence + 1;
                }

                next[key] = sequence + 1;
                appended.Add(new ConversationTurn(turn.ConversationId, turn.UserId, sequence, turn.Role, turn.Text, createdAt));
                points.Add(new JsonObject
                {
                    ["id"] = PointId(Guid.NewGuid()),
                    ["vector"] = new JsonArray(1f),
                    ["payload"] = new JsonObject
                    {
                        ["user_id"] = turn.UserId,
                        ["conversation_id"] = turn.ConversationId,
                        ["sequence"] = sequence,
                        ["role"] = turn.Role,
                        ["text"] = turn.Text,
                        ["created_at"] = Timestamp(createdAt),
                    },
                });
            }

            await SendAsync(HttpMethod.Put, $"{CollectionPath(TurnCollection)}/points?wait=true", new JsonObject { ["points"] = points }, cancellationToken);
            return appended;
        }
        finally
        {
            _turnLock.Release();
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ConversationTurn>> GetTurnsAsync(string userId, string conversationId, int last, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(conversationId);
        if (last <= 0)
        {
            return [];
        }

        var newestFirst = await ReadTurnsAsync(userId, conversationId, last, cancellationToken);
        return [.. newestFirst.Reverse()];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ConversationSummary>> ListConversationsAsync(string userId, int limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);

        // Qdrant has no GROUP BY over payloads: the user's turns are read a page at a time (at most MaxListedTurns).
        var conversations = new Dictionary<string, (string Title, long TitleSequence, DateTimeOffset UpdatedAt, long Turns)>(StringComparer.Ordinal);
        JsonNode? offset = null;
        var read = 0;
        do
        {
            var body = new JsonObject { ["limit"] = ScrollPageSize, ["filter"] = UserFilter(userId), ["with_payload"] = true };
            if (offset is not null)
            {
                body["offset"] = offset.DeepClone();
            }

            var result = await SendOrNullWhenMissingAsync(HttpMethod.Post, $"{CollectionPath(TurnCollection)}/points/scroll", body, cancellationToken);
            foreach (var point in Array(result?["points"]))
            {
                var payload = point!["payload"]!;
                if (payload["user_id"]?.GetValue<string>() != userId || payload["conversation_id"]?.GetValue<string>() is not { } id)
                {
                    continue;
                }

                read++;
                var sequence = payload["sequence"]!.GetValue<long>();
                var createdAt = ParseTimestamp(payload["created_at"]);
                var isUser = payload["role"]?.GetValue<string>() == "user";
                var known = conversations.TryGetValue(id, out var c) ? c : ("", long.MaxValue, DateTimeOffset.MinValue, 0);
                conversations[id] = (
                    isUser && sequence < known.TitleSequence ? payload["text"]!.GetValue<string>() : known.Title,
                    isUser && sequence < known.TitleSequence ? sequence : known.TitleSequence,
                    createdAt > known.UpdatedAt ? createdAt : known.UpdatedAt,
                    known.Turns + 1);
            }

            offset = result?["next_page_offset"];
        }
        while (offset is not null && read < MaxListedTurns);

        return [.. conversations
            .OrderByDescending(c => c.Value.UpdatedAt).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Take(limit)
            .Select(c => new ConversationSummary(c.Key, c.Value.Title, c.Value.UpdatedAt, c.Value.Turns))];
    }

    /// <inheritdoc />
    public async Task CheckHealthAsync(CancellationToken cancellationToken)
    {
        // Not /readyz: it is exempt from the API key, and a wrong key must make the backend unhealthy.
        await ListCollectionsAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<ConversationTurn>> ReadTurnsAsync(string userId, string conversationId, int limit, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["limit"] = limit,
            ["filter"] = UserFilter(userId, MatchValue("conversation_id", conversationId)),
            ["with_payload"] = true,
            ["order_by"] = new JsonObject { ["key"] = "sequence", ["direction"] = "desc" },
        };
        var result = await SendOrNullWhenMissingAsync(HttpMethod.Post, $"{CollectionPath(TurnCollection)}/points/scroll", body, cancellationToken);
        var turns = new List<ConversationTurn>();
        foreach (var point in Array(result?["points"]))
        {
            var payload = point!["payload"]!;
            if (payload["user_id"]?.GetValue<string>() != userId || payload["conversation_id"]?.GetValue<string>() != conversationId)
            {
                continue;
            }

            turns.Add(new ConversationTurn(
                conversationId,
                userId,
                payload["sequence"]!.GetValue<long>(),
                payload["role"]!.GetValue<string>(),
                payload["text"]!.GetValue<string>(),
                ParseTimestamp(payload["created_at"])));
        }

        return turns;
    }

    private async Task EnsureAsync(string collection, int dimensions, (string Field, string Schema)[] indexes, CancellationToken cancellationToken)
    {
        if (_ensured.ContainsKey(collection))
        {
            return;
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        var path = CollectionPath(collection);
        var exists = await SendAsync(HttpMethod.Get, $"{path}/exists", body: null, cancellationToken);
        if (exists?["exists"]?.GetValue<bool>() != true)
        {
            var create = new JsonObject { ["vectors"] = new JsonObject { ["size"] = dimensions, ["distance"] = "Cosine" } };
            try
            {
                await SendAsync(HttpMethod.Put, path, create, cancellationToken);
            }
            catch (QdrantException exception) when (exception.StatusCode == HttpStatusCode.Conflict)
            {
                // Created meanwhile by another instance.
            }
        }

        // Creating an index that exists is a no-op, so a collection made by an older version gets them too.
        foreach (var (field, schema) in indexes)
        {
            await SendAsync(HttpMethod.Put, $"{path}/index?wait=true", new JsonObject { ["field_name"] = field, ["field_schema"] = schema }, cancellationToken);
        }

        _ensured[collection] = true;
    }

    private async Task<long> CountAsync(string collection, JsonObject? filter, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["exact"] = true };
        if (filter is not null)
        {
            body["filter"] = filter.DeepClone();
        }

        var result = await SendOrNullWhenMissingAsync(HttpMethod.Post, $"{CollectionPath(collection)}/points/count", body, cancellationToken);
        return result?["count"]?.GetValue<long>() ?? 0;
    }

    private async Task<IReadOnlyList<string>> ListCollectionsAsync(CancellationToken cancellationToken)
    {
        var result = await SendAsync(HttpMethod.Get, "collections", body: null, cancellationToken);
        return [.. Array(result?["collections"]).Select(collection => collection!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public async Task<long> GetTokenUsageAsync(string userId, DateOnly day, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var body = new JsonObject { ["ids"] = new JsonArray(UsagePointId(userId, day)), ["with_payload"] = true, ["with_vector"] = false };
        var result = await SendOrNullWhenMissingAsync(HttpMethod.Post, $"{CollectionPath(UsageCollection)}/points", body, cancellationToken);
        return Array(result).FirstOrDefault()?["payload"]?["tokens"]?.GetValue<long>() ?? 0;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Qdrant has no increment: the count is read and written back under a lock, so the adds of this service never
    /// lose one another (one Jarvis.Memory per Qdrant, as the AppHost composes them).
    /// </remarks>
    public async Task<long> AddTokenUsageAsync(string userId, DateOnly day, long tokens, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        await EnsureAsync(UsageCollection, 1, s_usageIndexes, cancellationToken);
        await _usageLock.WaitAsync(cancellationToken);
        try
        {
            var total = await GetTokenUsageAsync(userId, day, cancellationToken) + tokens;
            var point = new JsonObject
            {
                ["id"] = UsagePointId(userId, day),
                ["vector"] = new JsonArray(1f),
                ["payload"] = new JsonObject { ["user_id"] = userId, ["day"] = UsageDay.Of(day), ["tokens"] = total },
            };
            await SendAsync(HttpMethod.Put, $"{CollectionPath(UsageCollection)}/points?wait=true", new JsonObject { ["points"] = new JsonArray(point) }, cancellationToken);
            return total;
        }
        finally
        {
            _usageLock.Release();
        }
    }

    // The point of a user's day: a UUID made from both (the first 16 bytes of their SHA-256), the same on every call.
    private static string UsagePointId(string userId, DateOnly day)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{userId}\n{UsageDay.Of(day)}"));
        return PointId(new Guid(hash.AsSpan(0, 16)));
    }

    private async Task<IReadOnlyList<string>> ListMemoryCollectionsAsync(CancellationToken cancellationToken) =>
        [.. (await ListCollectionsAsync(cancellationToken)).Where(IsMemoryCollection)];

    private static bool IsMemoryCollection(string name) => name.StartsWith(MemoryCollectionPrefix, StringComparison.Ordinal);

    private async Task<JsonNode?> SendOrNullWhenMissingAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        try
        {
            return await SendAsync(method, path, body, cancellationToken);
        }
        catch (QdrantException exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            // The collection went away (or was never made): nothing of the user is in it.
            _ensured.Clear();
            return null;
        }
    }

    /// <summary>Sends one request and returns the envelope's <c>result</c>; an error answer becomes a <see cref="QdrantException"/>.</summary>
    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw Failure(method, path, response.StatusCode, text);
        }

        try
        {
            return JsonNode.Parse(text)?["result"];
        }
        catch (JsonException exception)
        {
            throw new QdrantException(response.StatusCode, $"Qdrant answered {method} /{path} with a body that is not JSON.", exception);
        }
    }

    private static QdrantException Failure(HttpMethod method, string path, HttpStatusCode status, string body)
    {
        var route = $"{method} /{StripQuery(path)}";
        var code = ((int)status).ToString(CultureInfo.InvariantCulture);
        if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            var error = body.Trim();
            return new QdrantException(
                status,
                error,
                $"Qdrant refused {route} with {code} {status}: the API key (Key= in ConnectionStrings:qdrant_http or qdrant) is missing or wrong. Qdrant said: {Shorten(error)}");
        }

        string? qdrantError;
        try
        {
            qdrantError = JsonNode.Parse(body)?["status"]?["error"]?.GetValue<string>();
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            qdrantError = null;
        }

        qdrantError ??= string.IsNullOrWhiteSpace(body) ? null : Shorten(body.Trim());
        return new QdrantException(status, qdrantError, $"Qdrant {route} failed with {code} {status}: {qdrantError ?? "(no error text)"}");
    }

    private static string StripQuery(string path) => path.Split('?', 2)[0];

    private static string Shorten(string text) => text.Length <= 500 ? text : string.Concat(text.AsSpan(0, 500), "…");

    private static string CollectionPath(string collection) => "collections/" + Uri.EscapeDataString(collection);

    private static string PointId(Guid id) => id.ToString("D", CultureInfo.InvariantCulture);

    private static string Timestamp(DateTimeOffset value) => value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTimestamp(JsonNode? value) =>
        DateTimeOffset.Parse(value!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private static JsonArray VectorJson(ReadOnlySpan<float> vector)
    {
        var array = new JsonArray();
        foreach (var component in vector)
        {
            array.Add(component);
        }

        return array;
    }

    private static float[] ReadVector(JsonNode? vector) =>
        [.. Array(vector).Select(component => component!.GetValue<float>())];

    private static IEnumerable<JsonNode?> Array(JsonNode? node) => node as JsonArray ?? [];

    private static JsonObject MatchValue(string key, string value) =>
        new() { ["key"] = key, ["match"] = new JsonObject { ["value"] = value } };

    private static JsonObject HasId(IEnumerable<Guid> ids) =>
        new() { ["has_id"] = new JsonArray([.. ids.Distinct().Select(id => (JsonNode)PointId(id))]) };

    private static JsonObject UserFilter(string userId, params JsonObject[] more)
    {
        var must = new JsonArray(MatchValue("user_id", userId));
        foreach (var condition in more)
        {
            must.Add(condition);
        }

        return new JsonObject { ["must"] = must };
    }

    private static JsonObject MemoryPayload(MemoryRecord record) => new()
    {
        ["user_id"] = record.UserId,
        ["text"] = record.Text,
        ["kind"] = KindName(record.Kind),
        ["importance"] = record.Importance,
        ["tags"] = new JsonArray([.. record.Tags.Select(tag => (JsonNode)tag)]),
        ["created_at"] = Timestamp(record.CreatedAt),
        ["created_at_ticks"] = record.CreatedAt.UtcTicks,
        ["last_accessed_at"] = Timestamp(record.LastAccessedAt),
        ["embedder"] = record.Embedder,
    };

    private static MemoryRecord ReadMemory(JsonNode point)
    {
        var payload = point["payload"] ?? throw new QdrantException(HttpStatusCode.OK, null, "Qdrant returned a memory point without its payload.");
        return new MemoryRecord(
            Guid.Parse(point["id"]!.GetValue<string>()),
            payload["user_id"]!.GetValue<string>(),
            payload["text"]!.GetValue<string>(),
            ParseKind(payload["kind"]?.GetValue<string>()),
            payload["importance"]?.GetValue<double>() ?? 0,
            [.. Array(payload["tags"]).Select(tag => tag!.GetValue<string>())],
            ParseTimestamp(payload["created_at"]),
            ParseTimestamp(payload["last_accessed_at"] ?? payload["created_at"]),
            payload["embedder"]!.GetValue<string>());
    }

    private static string KindName(MemoryKind kind) => kind switch
    {
        MemoryKind.Fact => "fact",
        MemoryKind.Preference => "preference",
        MemoryKind.Episode => "episode",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown memory kind."),
    };

    private static MemoryKind ParseKind(string? kind) => kind switch
    {
        "preference" => MemoryKind.Preference,
        "episode" => MemoryKind.Episode,
        _ => MemoryKind.Fact,
    };

    /// <summary>Where a listing stopped: the oldest creation time returned, and the ids returned at exactly that time.</summary>
    private sealed record ListCursor(long Ticks, Guid[] Ids)
    {
        public string Encode()
        {
            var json = new JsonObject { ["t"] = Ticks, ["ids"] = new JsonArray([.. Ids.Select(id => (JsonNode)PointId(id))]) };
            return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));
        }

        public static ListCursor Decode(string cursor)
        {
            try
            {
                var json = JsonNode.Parse(Base64Url.DecodeFromChars(cursor));
                if (json?["t"] is JsonValue ticks && json["ids"] is JsonArray ids)
                {
                    return new ListCursor(ticks.GetValue<long>(), [.. ids.Select(id => Guid.Parse(id?.GetValue<string>() ?? string.Empty))]);
                }
            }
            catch (Exception exception) when (exception is FormatException or JsonException or InvalidOperationException)
            {
                throw new ArgumentException("The cursor is not one this store returned.", nameof(cursor), exception);
            }

            throw new ArgumentException("The cursor is not one this store returned.", nameof(cursor));
        }
    }
}
