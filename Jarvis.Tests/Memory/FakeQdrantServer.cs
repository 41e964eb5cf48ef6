using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Jarvis.Tests.Memory;

/// <summary>
/// The part of Qdrant's REST API the memory store uses, on a free loopback port, as /work/shared/specs/qdrant-openapi.json
/// (v1.19) and wire-protocols.md §2 define it, and as Qdrant's source behaves where the spec is silent:
/// <list type="bullet">
/// <item>the <c>api-key</c> header (or <c>Authorization: Bearer</c>) when a key is set, else 401 <c>text/plain</c>
/// <c>Must provide an API key or an Authorization bearer token</c>; <c>/readyz</c> is exempt (src/actix/api_key.rs);</item>
/// <item>envelopes <c>{"result":…,"status":"ok","time":…}</c> and <c>{"status":{"error":"…"},"time":…}</c>, with
/// Qdrant's messages and codes: 404 <c>Not found: Collection `x` doesn't exist!</c>, 409 <c>Wrong input: Collection `x`
/// already exists!</c>, 400 <c>Wrong input: Vector dimension error: …</c>, 400 <c>Format error in JSON body: …</c> for a
/// body that does not deserialize, 422 <c>Validation error in JSON body: …</c> for an invalid value;</item>
/// <item>cosine collections normalise vectors at insert, and a query's score is the cosine similarity;</item>
/// <item>filters <c>must</c>/<c>should</c>/<c>must_not</c> with <c>match.value</c>, <c>match.any</c>, <c>has_id</c> and
/// nested filters (an array payload value matches when any element does);</item>
/// <item>scroll by id (<c>offset</c>, <c>next_page_offset</c>) or by <c>order_by</c> (needs a range index, refuses
/// <c>offset</c>, <c>start_from</c> inclusive, no <c>next_page_offset</c>: lib/collection scroll_by).</item>
/// </list>
/// It is stricter than Qdrant in one way: a request field it does not know is refused (400), so a typo in the store shows.
/// </summary>
public sealed class FakeQdrantServer : IAsyncDisposable
{
    /// <summary>The 401 body Qdrant sends when the key is missing or wrong.</summary>
    public const string UnauthorizedText = "Must provide an API key or an Authorization bearer token";

    private static readonly string[] s_distances = ["Cosine", "Euclid", "Dot", "Manhattan"];
    private static readonly string[] s_schemaTypes = ["keyword", "integer", "float", "geo", "text", "bool", "datetime", "uuid"];
    private static readonly string[] s_rangeSchemas = ["integer", "float", "datetime"];

    // serde_json escapes only quotes, backslashes and control characters; so does the relaxed encoder.
    private static readonly JsonSerializerOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private WebApplication _app = null!;
    private readonly string? _apiKey;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, FakeCollection> _collections = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedQdrantRequest> _requests = new();
    private long _operationId;

    private FakeQdrantServer(string? apiKey) => _apiKey = apiKey;

    /// <summary>Where the server listens, such as <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Every request that reached the server, in arrival order (refused ones too).</summary>
    public IReadOnlyList<RecordedQdrantRequest> Requests => [.. _requests];

    /// <summary>The names of the collections that exist.</summary>
    public IReadOnlyList<string> CollectionNames
    {
        get
        {
            lock (_lock)
            {
                return [.. _collections.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Starts the server; with <paramref name="apiKey"/>, every non-exempt request must carry it.</summary>
    public static async Task<FakeQdrantServer> StartAsync(string? apiKey, CancellationToken cancellationToken)
    {
        var server = new FakeQdrantServer(apiKey);
        (server._app, server.BaseAddress) = await LoopbackApp.StartAsync("Jarvis.Tests.FakeQdrant", app =>
        {
            app.Use(server.RecordAndAuthenticateAsync);
            server.MapRoutes(app);
        }, cancellationToken);
        return server;
    }

    /// <summary>The stored payload of a point (after Qdrant's processing), or null.</summary>
    public JsonObject? PayloadOf(string collection, string pointId)
    {
        lock (_lock)
        {
            return _collections.TryGetValue(collection, out var found) && found.Points.TryGetValue(pointId, out var point)
                ? (JsonObject)point.Payload.DeepClone()
                : null;
        }
    }

    /// <summary>The payload indexes of a collection: field name to schema.</summary>
    public IReadOnlyDictionary<string, string> IndexesOf(string collection)
    {
        lock (_lock)
        {
            return new Dictionary<string, string>(_collections[collection].Indexes, StringComparer.Ordinal);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task RecordAndAuthenticateAsync(HttpContext context, RequestDelegate next)
    {
        context.Request.EnableBuffering();
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8, leaveOpen: true))
        {
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            context.Request.Body.Position = 0;
            _requests.Enqueue(new RecordedQdrantRequest(
                context.Request.Method,
                context.Request.Path.Value ?? "",
                context.Request.QueryString.Value ?? "",
                context.Request.Headers["api-key"].ToString() is { Length: > 0 } key ? key : null,
                context.Request.ContentType,
                body));
        }

        var exempt = context.Request.Path.Value is "/" or "/healthz" or "/livez" or "/readyz";
        if (_apiKey is not null && !exempt && !Authorized(context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(UnauthorizedText, context.RequestAborted);
            return;
        }

        await next(context);
    }

    private bool Authorized(HttpRequest request)
    {
        if (request.Headers["api-key"].ToString() == _apiKey)
        {
            return true;
        }

        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.Ordinal) && authorization["Bearer ".Length..] == _apiKey;
    }

    private void MapRoutes(WebApplication app)
    {
        app.MapGet("/readyz", () => Results.Text("all shards are ready", "text/plain"));
        app.MapGet("/collections", context => Handle(context, _ => ListCollections()));
        app.MapGet("/collections/{name}/exists", context => Handle(context, _ => CollectionExists(Name(context))));
        app.MapPut("/collections/{name}", context => Handle(context, body => CreateCollection(Name(context), body)));
        app.MapPut("/collections/{name}/index", context => Handle(context, body => CreateIndex(Name(context), body)));
        app.MapPut("/collections/{name}/points", context => Handle(context, body => Upsert(context, Name(context), body)));
        app.MapPost("/collections/{name}/points", context => Handle(context, body => Retrieve(Name(context), body)));
        app.MapPost("/collections/{name}/points/query", context => Handle(context, body => Query(Name(context), body)));
        app.MapPost("/collections/{name}/points/scroll", context => Handle(context, body => Scroll(Name(context), body)));
        app.MapPost("/collections/{name}/points/count", context => Handle(context, body => Count(Name(context), body)));
        app.MapPost("/collections/{name}/points/delete", context => Handle(context, body => Delete(context, Name(context), body)));
        app.MapPost("/collections/{name}/points/payload", context => Handle(context, body => SetPayload(context, Name(context), body)));
        app.MapPost("/collections/{name}/facet", context => Handle(context, body => Facet(Name(context), body)));
    }

    private static string Name(HttpContext context) => (string)context.Request.RouteValues["name"]!;

    /// <summary>Parses the body, runs the operation under the lock and writes the envelope (or Qdrant's error envelope).</summary>
    private async Task Handle(HttpContext context, Func<JsonObject?, JsonNode?> operation)
    {
        var stopwatch = Stopwatch.StartNew();
        int status;
        JsonObject envelope;
        try
        {
            JsonObject? body = null;
            if (HttpMethods.IsPut(context.Request.Method) || HttpMethods.IsPost(context.Request.Method))
            {
                body = await ReadBodyAsync(context.Request);
            }

            JsonNode? result;
            lock (_lock)
            {
                result = operation(body);
            }

            status = StatusCodes.Status200OK;
            envelope = new JsonObject { ["result"] = result, ["status"] = "ok", ["time"] = stopwatch.Elapsed.TotalSeconds };
        }
        catch (QdrantError error)
        {
            status = error.Status;
            envelope = new JsonObject { ["status"] = new JsonObject { ["error"] = error.Message }, ["time"] = stopwatch.Elapsed.TotalSeconds };
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(envelope.ToJsonString(s_json), context.RequestAborted);
    }

    private static async Task<JsonObject> ReadBodyAsync(HttpRequest request)
    {
        if (request.ContentType is not { } contentType || !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            // actix's Json extractor: "Content type error".
            throw new QdrantError(StatusCodes.Status400BadRequest, "Content type error");
        }

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw Format("invalid type: expected struct");
        }
        catch (JsonException exception)
        {
            throw Format(exception.Message);
        }
    }

    // ---- collections ----

    private JsonObject ListCollections() => new JsonObject
    {
        ["collections"] = new JsonArray([.. _collections.Keys.Order(StringComparer.Ordinal).Select(name => (JsonNode)new JsonObject { ["name"] = name })]),
    };

    private JsonObject CollectionExists(string name) => new JsonObject { ["exists"] = _collections.ContainsKey(name) };

    private JsonNode CreateCollection(string name, JsonObject? body)
    {
        body = Require(body);
        Fields(body, "CreateCollection", "vectors", "shard_number", "replication_factor", "write_consistency_factor", "on_disk_payload", "hnsw_config", "wal_config", "optimizers_config", "quantization_config", "sparse_vectors", "strict_mode_config", "metadata");
        if (body["vectors"] is not JsonObject vectors)
        {
            throw Format("this fake supports only collections with one unnamed dense vector: `vectors` must be {\"size\",\"distance\"}");
        }

        Fields(vectors, "VectorParams", "size", "distance", "hnsw_config", "quantization_config", "on_disk", "datatype", "multivector_config");
        var size = Integer(vectors, "size") ?? throw Format("missing field `size`");
        var distance = vectors["distance"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : throw Format("missing field `distance`");
        if (!s_distances.Contains(distance, StringComparer.Ordinal))
        {
            throw Format($"unknown variant `{distance}`, expected one of `Cosine`, `Euclid`, `Dot`, `Manhattan`");
        }

        if (size < 1)
        {
            throw Validation("vectors.size: value 0 invalid, must be 1 or larger");
        }

        if (_collections.ContainsKey(name))
        {
            throw new QdrantError(StatusCodes.Status409Conflict, $"Wrong input: Collection `{name}` already exists!");
        }

        _collections[name] = new FakeCollection((int)size, distance);
        return true;
    }

    private JsonObject CreateIndex(string name, JsonObject? body)
    {
        body = Require(body);
        Fields(body, "CreateFieldIndex", "field_name", "field_schema");
        var field = String(body, "field_name") ?? throw Format("missing field `field_name`");
        var schema = String(body, "field_schema") ?? throw Format("this fake supports only a schema type name as `field_schema`");
        if (!s_schemaTypes.Contains(schema, StringComparer.Ordinal))
        {
            throw Format($"unknown variant `{schema}`, expected one of `keyword`, `integer`, `float`, `geo`, `text`, `bool`, `datetime`, `uuid`");
        }

        Collection(name).Indexes[field] = schema;
        return UpdateResult(wait: true);
    }

    // ---- points ----

    private JsonObject Upsert(HttpContext context, string name, JsonObject? body)
    {
        body = Require(body);
        Fields(body, "PointsList", "points", "shard_key", "update_filter", "update_mode");
        if (body["points"] is not JsonArray points)
        {
            throw Format("this fake supports only the list form: missing field `points`");
        }

        var collection = Collection(name);
        var parsed = new List<(string Key, JsonNode Id, float[] Vector, JsonObject Payload)>();
        foreach (var node in points)
        {
            if (node is not JsonObject point)
            {
                throw Format("invalid type: expected struct PointStruct");
            }

            Fields(point, "PointStruct", "id", "vector", "payload");
            var (key, id) = PointId(point["id"] ?? throw Format("missing field `id`"));
            var vector = DenseVector(point["vector"] ?? throw Format("missing field `vector`"));
            if (vector.Length != collection.Size)
            {
                throw new QdrantError(StatusCodes.Status400BadRequest, $"Wrong input: Vector dimension error: expected dim: {collection.Size}, got {vector.Length}");
            }

            var payload = point["payload"] switch
            {
                null => new JsonObject(),
                JsonObject given => (JsonObject)given.DeepClone(),
                _ => throw Format("invalid type: expected a map for `payload`"),
            };
            parsed.Add((key, id, collection.Distance == "Cosine" ? Normalized(vector) : vector, payload));
        }

        var version = (ulong)Interlocked.Increment(ref _operationId);
        foreach (var (key, id, vector, payload) in parsed)
        {
            collection.Points[key] = new FakePoint(id.DeepClone(), vector, payload, version);
        }

        return UpdateResult(Wait(context), version);
    }

    private JsonArray Retrieve(string name, JsonObject? body)
    {
        body = Require(body);
        Fields(body, "PointRequest", "shard_key", "ids", "with_payload", "with_vector");
        if (body["ids"] is not JsonArray ids)
        {
            throw Format("missing field `ids`");
        }

        var collection = Collection(name);
        var withPayload = body["with_payload"] ?? true;
        var withVector = Bool(body, "with_vector") ?? false;
        var records = new JsonArray();
        foreach (var id in ids)
        {
            if (collection.Points.TryGetValue(PointId(id ?? throw Format("invalid type: null, expected a point id")).Key, out var point))
            {
                records.Add(Record(point, withPayload, withVector));
            }
        }

        return records;
    }

    private JsonObject Query(string name, JsonObject? body)
    {
        body = Require(body);
        Fields(body, "QueryRequest", "shard_key", "prefetch", "query", "using", "filter", "params", "score_threshold", "limit", "offset", "with_vector", "with_payload", "lookup_from");
        var collection = Collection(name);
        var query = DenseVector(body["query"] ?? throw Format("this fake supports only a nearest query: missing field `query`"));
        if (query.Length != collection.Size)
        {
            throw new QdrantError(StatusCodes.Status400BadRequest, $"Wrong input: Vector dimension error: expected dim: {collection.Size}, got {query.Length}");
        }

        if (collection.Distance != "Cosine")
        {
            throw Format("this fake scores Cosine collections only");
        }

        var limit = Limit(body, 10);
        var offset = Integer(body, "offset") ?? 0;
        var filter = Filter(body["filter"]);
        var threshold = body["score_threshold"]?.GetValue<double>();
        var withPayload = body["with_payload"] ?? false;
        var withVector = Bool(body, "with_vector") ?? false;
        var normalized = Normalized(query);
        var points = collection.Points.Values
            .Where(point => Matches(filter, point))
            .Select(point => (Point: point, Score: Dot(normalized, point.Vector)))
            .Where(scored => threshold is null || scored.Score >= threshold)
            .OrderByDescending(scored => scored.Score)
            .Skip((int)offset)
            .Take(limit)
            .Select(scored =>
            {
                var result = Record(scored.Point, withPayload, withVector);
                result["version"] = scored.Point.Version;
                result["score"] = scored.Score;
                return (JsonNode)result;
            });
        return new JsonObject { ["points"] = new JsonArray([.. points]) };
    }

    private JsonObject Scroll(string name, JsonObject? body)
    {
        body = Require(body);
        Fields(body, "ScrollRequest", "shard_key", "offset", "limit", "filter", "with_payload", "with_vector", "order_by");
        var collection = Collection(name);
        var limit = Limit(body, 10);
        var filter = Filter(body["filter"]);
        var withPayload = body["with_payload"] ?? true;
        var withVector = Bool(body, "with_vector") ?? false;
        var matching = collection.Points.Values.Where(point => Matches(filter, point));

        if (body["order_by"] is { } orderByNode)
        {
            var (key, descending, startFrom) = OrderBy(orderByNode);
            if (!collection.Indexes.TryGetValue(key, out var schema) || !s_rangeSchemas.Contains(schema, StringComparer.Ordinal))
            {
                throw new QdrantError(
                    StatusCodes.Status400BadRequest,
                    $"Bad request: No range index for `order_by` key: {key}. Please create one to use `order_by`. Integer, float, and datetime payloads can have range indexes, see https://qdrant.tech/documentation/concepts/indexing/#payload-index.");
            }

            if (body["offset"] is not null)
            {
                throw new QdrantError(
                    StatusCodes.Status400BadRequest,
                    "Wrong input: Cannot use an `offset` when using `order_by`. The alternative for paging is to use `order_by.start_from` and a filter to exclude the IDs that you've already seen for the `order_by.start_from` value");
            }

            var valued = matching
                .Select(point => (Point: point, Value: OrderValue(point.Payload[key], schema)))
                .Where(item => item.Value is not null)
                .Select(item => (item.Point, Value: item.Value!.Value))
                .Where(item => startFrom is null || (descending ? item.Value <= startFrom : item.Value >= startFrom));
            var ordered = descending ? valued.OrderByDescending(item => item.Value) : valued.OrderBy(item => item.Value);
            var records = ordered.Take(limit).Select(item =>
            {
                var record = Record(item.Point, withPayload, withVector);
                record["order_value"] = schema == "float" ? JsonValue.Create(item.Value) : JsonValue.Create((long)item.Value);
                return (JsonNode)record;
            });
            return new JsonObject { ["points"] = new JsonArray([.. records]), ["next_page_offset"] = null };
        }

        var sorted = matching.OrderBy(point => point.Id, PointIdComparer.Instance).ToList();
        if (body["offset"] is { } offsetNode)
        {
            var offset = PointId(offsetNode).Id;
            sorted = [.. sorted.Where(point => PointIdComparer.Instance.Compare(point.Id, offset) >= 0)];
        }

        var page = sorted.Take(limit + 1).ToList();
        JsonNode? next = null;
        if (page.Count > limit)
        {
            next = page[^1].Id.DeepClone();
            page.RemoveAt(page.Count - 1);
        }

        return new JsonObject
        {
            ["points"] = new JsonArray([.. page.Select(point => (JsonNode)Record(point, withPayload, withVector))]),
            ["next_page_offset"] = next,
        };
    }

    private JsonObject Count(string name, JsonObject? body)
    {
        body = Require(body);
        Fields(body, "CountRequest", "shard_key", "filter", "exact");
        var collection = Collection(name);
        var filter = Filter(body["filter"]);
        _ = Bool(body, "exact");
        return new JsonObject { ["count"] = collection.Points.Values.Count(point => Matches(filter, point)) };
    }

    private JsonObject Delete(HttpContext context, string name, JsonObject? body)
    {
        body = Require(body);
        var collection = Collection(name);
        List<string> keys;
        if (body.ContainsKey("points"))
        {
            Fields(body, "PointIdsList", "points", "shard_key");
            keys = [.. (body["points"] as JsonArray ?? throw Format("invalid type: expected a sequence for `points`")).Select(id => PointId(id!).Key)];
        }
        else if (body.ContainsKey("filter"))
        {
            Fields(body, "FilterSelector", "filter", "shard_key");
            var filter = Filter(body["filter"]);
            keys = [.. collection.Points.Where(pair => Matches(filter, pair.Value)).Select(pair => pair.Key)];
        }
        else
        {
            throw Format("data did not match any variant of untagged enum PointsSelector");
        }

        foreach (var key in keys)
        {
            collection.Points.Remove(key);
        }

        return UpdateResult(Wait(context));
    }

    private JsonObject SetPayload(HttpContext context, string name, JsonObject? body)
    {
        body = Require(body);
        Fields(body, "SetPayload", "payload", "points", "filter", "shard_key", "key");
        var collection = Collection(name);
        var payload = body["payload"] as JsonObject ?? throw Format("missing field `payload`");
        if (body["key"] is not null)
        {
            throw Format("this fake does not support `key` (nested payload paths)");
        }

        IEnumerable<FakePoint> targets;
        if (body["points"] is JsonArray ids)
        {
            targets = ids.Select(id => collection.Points.GetValueOrDefault(PointId(id!).Key)).OfType<FakePoint>();
        }
        else if (body["filter"] is { } filterNode)
        {
            var filter = Filter(filterNode);
            targets = collection.Points.Values.Where(point => Matches(filter, point));
        }
        else
        {
            throw new QdrantError(StatusCodes.Status400BadRequest, "Bad request: Either list of point ids or filter must be provided");
        }

        foreach (var point in targets.ToList())
        {
            foreach (var (key, value) in payload)
            {
                point.Payload[key] = value?.DeepClone();
            }
        }

        return UpdateResult(Wait(context));
    }

    private JsonObject Facet(string name, JsonObject? body)
    {
        body = Require(body);
        Fields(body, "FacetRequest", "shard_key", "key", "limit", "filter", "exact");
        var collection = Collection(name);
        var key = String(body, "key") ?? throw Format("missing field `key`");
        if (!collection.Indexes.TryGetValue(key, out var schema) || schema is not ("keyword" or "integer" or "bool" or "uuid"))
        {
            throw new QdrantError(StatusCodes.Status400BadRequest, $"Bad request: No appropriate index for faceting: `{key}`");
        }

        var limit = Limit(body, 10);
        var filter = Filter(body["filter"]);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var point in collection.Points.Values.Where(point => Matches(filter, point)))
        {
            // A point counts once per distinct value it has.
            foreach (var value in Values(point.Payload[key]).Select(value => value.ToJsonString()).Distinct(StringComparer.Ordinal))
            {
                counts[value] = counts.GetValueOrDefault(value) + 1;
            }
        }

        var hits = counts
            .OrderByDescending(pair => pair.Value)
            .ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Take(limit)
            .Select(pair => (JsonNode)new JsonObject { ["value"] = JsonNode.Parse(pair.Key), ["count"] = pair.Value });
        return new JsonObject { ["hits"] = new JsonArray([.. hits]) };
    }

    // ---- filters ----

    private sealed record ParsedFilter(List<Func<FakePoint, bool>> Must, List<Func<FakePoint, bool>> Should, List<Func<FakePoint, bool>> MustNot);

    private static ParsedFilter? Filter(JsonNode? node)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not JsonObject filter)
        {
            throw Format("invalid type: expected struct Filter");
        }

        // The spec marks Filter additionalProperties: false.
        Fields(filter, "Filter", "must", "should", "must_not", "min_should");
        if (filter["min_should"] is not null)
        {
            throw Format("this fake does not support `min_should`");
        }

        return new ParsedFilter(Conditions(filter["must"]), Conditions(filter["should"]), Conditions(filter["must_not"]));
    }

    private static List<Func<FakePoint, bool>> Conditions(JsonNode? node) => node switch
    {
        null => [],
        JsonArray array => [.. array.Select(item => Condition(item))],
        _ => [Condition(node)],
    };

    private static Func<FakePoint, bool> Condition(JsonNode? node)
    {
        if (node is not JsonObject condition)
        {
            throw Format("data did not match any variant of untagged enum Condition");
        }

        if (condition["has_id"] is JsonArray ids && condition.Count == 1)
        {
            var keys = ids.Select(id => PointId(id!).Key).ToHashSet(StringComparer.Ordinal);
            return point => keys.Contains(PointId(point.Id).Key);
        }

        if (condition["key"] is JsonValue keyValue && keyValue.TryGetValue<string>(out var key) && condition["match"] is JsonObject match && condition.Count == 2)
        {
            if (match.Count == 1 && match["value"] is JsonValue expected && expected.GetValueKind() is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
            {
                var wanted = expected.ToJsonString();
                return point => Values(point.Payload[key]).Any(value => value.ToJsonString() == wanted);
            }

            if (match.Count == 1 && match["any"] is JsonArray any && any.All(item => item is JsonValue value && value.GetValueKind() is JsonValueKind.String or JsonValueKind.Number))
            {
                var wanted = any.Select(item => item!.ToJsonString()).ToHashSet(StringComparer.Ordinal);
                return point => Values(point.Payload[key]).Any(value => wanted.Contains(value.ToJsonString()));
            }

            throw Format("data did not match any variant of untagged enum Match");
        }

        if (condition.All(pair => pair.Key is "must" or "should" or "must_not" or "min_should"))
        {
            var nested = Filter(condition);
            return point => Matches(nested, point);
        }

        throw Format("data did not match any variant of untagged enum Condition");
    }

    private static bool Matches(ParsedFilter? filter, FakePoint point) =>
        filter is null
        || (filter.Must.All(condition => condition(point))
            && (filter.Should.Count == 0 || filter.Should.Any(condition => condition(point)))
            && !filter.MustNot.Any(condition => condition(point)));

    /// <summary>A payload value as Qdrant matches it: each element of an array, or the value itself.</summary>
    private static IEnumerable<JsonNode> Values(JsonNode? value) => value switch
    {
        null => [],
        JsonArray array => array.OfType<JsonNode>(),
        _ => [value],
    };

    // ---- parsing helpers ----

    private static JsonObject Require(JsonObject? body) => body ?? throw Format("EOF while parsing a value at line 1 column 0");

    private static void Fields(JsonObject body, string type, params string[] allowed)
    {
        foreach (var (key, _) in body)
        {
            if (!allowed.Contains(key, StringComparer.Ordinal))
            {
                throw Format($"unknown field `{key}` of {type}, expected one of {string.Join(", ", allowed.Select(field => $"`{field}`"))}");
            }
        }
    }

    private static (string Key, JsonNode Id) PointId(JsonNode node)
    {
        if (node is JsonValue value)
        {
            if (value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<ulong>(out var number))
            {
                return (number.ToString(CultureInfo.InvariantCulture), JsonValue.Create(number));
            }

            if (value.TryGetValue<string>(out var text) && Guid.TryParse(text, out var uuid))
            {
                var canonical = uuid.ToString("D", CultureInfo.InvariantCulture);
                return (canonical, JsonValue.Create(canonical));
            }
        }

        throw Format($"data did not match any variant of untagged enum ExtendedPointId: {node.ToJsonString()}");
    }

    private static float[] DenseVector(JsonNode node)
    {
        if (node is JsonArray array && array.All(item => item is JsonValue value && value.GetValueKind() == JsonValueKind.Number))
        {
            return [.. array.Select(item => item!.GetValue<float>())];
        }

        throw Format("this fake supports only a dense vector (an array of numbers)");
    }

    private static (string Key, bool Descending, double? StartFrom) OrderBy(JsonNode node)
    {
        if (node is JsonValue plain && plain.TryGetValue<string>(out var plainKey))
        {
            return (plainKey, false, null);
        }

        if (node is not JsonObject orderBy)
        {
            throw Format("data did not match any variant of untagged enum OrderByInterface");
        }

        Fields(orderBy, "OrderBy", "key", "direction", "start_from");
        var key = String(orderBy, "key") ?? throw Format("missing field `key`");
        var direction = String(orderBy, "direction") ?? "asc";
        if (direction is not ("asc" or "desc"))
        {
            throw Format($"unknown variant `{direction}`, expected `asc` or `desc`");
        }

        double? startFrom = orderBy["start_from"] switch
        {
            null => null,
            JsonValue number when number.GetValueKind() == JsonValueKind.Number => number.GetValue<double>(),
            JsonValue text when text.TryGetValue<string>(out var date) && DateTimeOffset.TryParse(date, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed) => Microseconds(parsed),
            _ => throw Format("data did not match any variant of untagged enum StartFrom"),
        };
        return (key, direction == "desc", startFrom);
    }

    private static double? OrderValue(JsonNode? value, string schema)
    {
        foreach (var item in Values(value))
        {
            if (item is not JsonValue scalar)
            {
                continue;
            }

            if (schema == "datetime" && scalar.TryGetValue<string>(out var text)
                && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var date))
            {
                return Microseconds(date);
            }

            if (schema != "datetime" && scalar.GetValueKind() == JsonValueKind.Number)
            {
                return schema == "integer" && scalar.TryGetValue<long>(out var integer) ? integer : scalar.GetValue<double>();
            }
        }

        return null;
    }

    private static double Microseconds(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private static int Limit(JsonObject body, int defaultLimit)
    {
        var limit = Integer(body, "limit") ?? defaultLimit;
        return limit < 1 ? throw Validation($"limit: value {limit} invalid, must be 1 or larger") : (int)Math.Min(limit, int.MaxValue);
    }

    private static long? Integer(JsonObject body, string field) => body[field] switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var number) => number,
        _ => throw Format($"invalid type for `{field}`, expected an integer"),
    };

    private static bool? Bool(JsonObject body, string field) => body[field] switch
    {
        null => null,
        JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False => value.GetValue<bool>(),
        _ => throw Format($"invalid type for `{field}`, expected a boolean"),
    };

    private static string? String(JsonObject body, string field) => body[field] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        _ => null,
    };

    private static bool Wait(HttpContext context) =>
        context.Request.Query.TryGetValue("wait", out var wait) && string.Equals(wait.ToString(), "true", StringComparison.Ordinal);

    private JsonObject UpdateResult(bool wait, ulong? operationId = null) => new()
    {
        ["operation_id"] = operationId ?? (ulong)Interlocked.Increment(ref _operationId),
        ["status"] = wait ? "completed" : "acknowledged",
    };

    private static JsonObject Record(FakePoint point, JsonNode withPayload, bool withVector)
    {
        var record = new JsonObject { ["id"] = point.Id.DeepClone() };
        var payload = withPayload switch
        {
            JsonValue flag when flag.GetValueKind() == JsonValueKind.True => (JsonObject)point.Payload.DeepClone(),
            JsonValue flag when flag.GetValueKind() == JsonValueKind.False => null,
            JsonArray fields => new JsonObject([.. fields.Select(field => field!.GetValue<string>()).Where(point.Payload.ContainsKey).Select(field => KeyValuePair.Create(field, point.Payload[field]?.DeepClone()))]),
            _ => throw Format("data did not match any variant of untagged enum WithPayloadInterface"),
        };
        if (payload is not null)
        {
            record["payload"] = payload;
        }

        if (withVector)
        {
            record["vector"] = new JsonArray([.. point.Vector.Select(component => (JsonNode)component)]);
        }

        return record;
    }

    private FakeCollection Collection(string name) =>
        _collections.TryGetValue(name, out var collection)
            ? collection
            : throw new QdrantError(StatusCodes.Status404NotFound, $"Not found: Collection `{name}` doesn't exist!");

    private static float[] Normalized(float[] vector)
    {
        var norm = Math.Sqrt(vector.Sum(component => (double)component * component));
        return norm < 1e-30 ? [.. vector] : [.. vector.Select(component => (float)(component / norm))];
    }

    private static double Dot(float[] left, float[] right)
    {
        double sum = 0;
        for (var i = 0; i < left.Length; i++)
        {
            sum += (double)left[i] * right[i];
        }

        return sum;
    }

    private static QdrantError Format(string detail) => new(StatusCodes.Status400BadRequest, $"Format error in JSON body: {detail}");

    private static QdrantError Validation(string detail) => new(StatusCodes.Status422UnprocessableEntity, $"Validation error in JSON body: [{detail}]");

    private sealed class QdrantError(int status, string message) : Exception(message)
    {
        public int Status { get; } = status;
    }

    private sealed class FakeCollection(int size, string distance)
    {
        public int Size { get; } = size;

        public string Distance { get; } = distance;

        public Dictionary<string, string> Indexes { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, FakePoint> Points { get; } = new(StringComparer.Ordinal);
    }

    private sealed record FakePoint(JsonNode Id, float[] Vector, JsonObject Payload, ulong Version);

    /// <summary>Qdrant's id order: numbers before UUIDs, numbers by value, UUIDs by their 128-bit value.</summary>
    private sealed class PointIdComparer : IComparer<JsonNode>
    {
        public static readonly PointIdComparer Instance = new();

        public int Compare(JsonNode? x, JsonNode? y)
        {
            var left = x!.GetValueKind() == JsonValueKind.Number;
            var right = y!.GetValueKind() == JsonValueKind.Number;
            return (left, right) switch
            {
                (true, true) => x.GetValue<ulong>().CompareTo(y.GetValue<ulong>()),
                (true, false) => -1,
                (false, true) => 1,
                _ => string.CompareOrdinal(x.GetValue<string>(), y.GetValue<string>()),
            };
        }
    }
}

/// <summary>One request the fake Qdrant received: method, path, query string, the <c>api-key</c> header, content type and body.</summary>
public sealed record RecordedQdrantRequest(string Method, string Path, string Query, string? ApiKey, string? ContentType, string Body);
