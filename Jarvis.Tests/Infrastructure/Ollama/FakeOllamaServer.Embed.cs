using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Jarvis.Tests.Infrastructure.Ollama;

/// <summary>
/// <c>POST /api/embed</c> (upstream server/routes.go <c>EmbedHandler</c>): <c>input</c> a string or an array of strings,
/// vectors L2-normalised (cut and re-normalised when <c>dimensions</c> is set), <c>{"error": "..."}</c> with 400 for a
/// missing body or invalid input and 404 for a model the server does not have. Vectors are derived from the text alone,
/// so a test can compute the expected one with <see cref="VectorFor"/>.
/// </summary>
public sealed partial class FakeOllamaServer
{
    /// <summary>The size of the vectors of every model the fake has.</summary>
    public const int ModelDimensions = 16;

    private readonly ConcurrentQueue<RecordedRequest> _embedRequests = new();
    private readonly ConcurrentQueue<(int Status, string ContentType, string Body)> _embedFailures = new();

    /// <summary>Every request that reached <c>POST /api/embed</c>, in arrival order (failed ones too).</summary>
    public IReadOnlyList<RecordedRequest> EmbedRequests => [.. _embedRequests];

    /// <summary>Makes the next <paramref name="times"/> <c>POST /api/embed</c> requests fail with <paramref name="status"/> and Ollama's error body.</summary>
    public void FailNext(int status, string error, int times = 1)
    {
        var body = new JsonObject { ["error"] = error }.ToJsonString();
        for (var i = 0; i < times; i++)
        {
            _embedFailures.Enqueue((status, JsonContentType, body));
        }
    }

    /// <summary>Makes the next <c>POST /api/embed</c> fail with <paramref name="status"/> and a raw body, as a proxy in front of Ollama might.</summary>
    public void FailNextRaw(int status, string contentType, string body) => _embedFailures.Enqueue((status, contentType, body));

    /// <summary>The unit vector the fake returns for <paramref name="text"/>, cut to <paramref name="dimensions"/> and re-normalised when smaller than the model's.</summary>
    public static float[] VectorFor(string text, int? dimensions = null)
    {
        var vector = new float[ModelDimensions];
        var index = 0;
        for (var block = 0; index < vector.Length; block++)
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{block}\n{text}"));
            for (var i = 0; i + 4 <= hash.Length && index < vector.Length; i += 4)
            {
                vector[index++] = (BitConverter.ToInt32(hash, i) / (float)int.MaxValue) + 0.01f;
            }
        }

        Normalize(vector);
        if (dimensions is > 0 and var size && size < vector.Length)
        {
            vector = vector[..size];
            Normalize(vector);
        }

        return vector;
    }

    /// <summary>The fake's token count for <paramref name="text"/>: its words plus the two the tokenizer adds (BOS/EOS).</summary>
    public static int TokensFor(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length + 2;

    private void MapEmbed(WebApplication app) => app.MapPost("/api/embed", EmbedAsync);

    private async Task EmbedAsync(HttpContext context)
    {
        var recorded = await ReadAsync(context);
        _embedRequests.Enqueue(recorded);
        var body = recorded.Body;

        if (_embedFailures.TryDequeue(out var failure))
        {
            await WriteAsync(context.Response, failure.Status, failure.ContentType, failure.Body);
            return;
        }

        // Gin's ShouldBindJSON: io.EOF for an empty body, else the decoder's error text.
        if (body.Length == 0)
        {
            await ErrorAsync(context.Response, StatusCodes.Status400BadRequest, "missing request body");
            return;
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            await ErrorAsync(context.Response, StatusCodes.Status400BadRequest, e.Message);
            return;
        }

        if (root is not JsonObject request)
        {
            await ErrorAsync(context.Response, StatusCodes.Status400BadRequest, "json: cannot unmarshal into Go value of type api.EmbedRequest");
            return;
        }

        var model = request["model"] is JsonValue modelValue && modelValue.TryGetValue<string>(out var name) ? name : "";
        if (model.Length == 0)
        {
            await ErrorAsync(context.Response, StatusCodes.Status404NotFound, $"model '{model}' not found");
            return;
        }

        if (!TryReadInput(request["input"], out var input))
        {
            await ErrorAsync(context.Response, StatusCodes.Status400BadRequest, "invalid input type");
            return;
        }

        if (!HasModel(model))
        {
            await ErrorAsync(context.Response, StatusCodes.Status404NotFound, $"model \"{model}\" not found, try pulling it first");
            return;
        }

        if (input.Count == 0)
        {
            await WriteJsonAsync(context.Response, new JsonObject { ["model"] = model, ["embeddings"] = new JsonArray() });
            return;
        }

        var dimensions = request["dimensions"] is JsonValue dimensionsValue && dimensionsValue.TryGetValue<int>(out var size) ? size : (int?)null;
        var embeddings = new JsonArray();
        foreach (var text in input)
        {
            embeddings.Add(new JsonArray([.. VectorFor(text, dimensions).Select(v => JsonValue.Create(v))]));
        }

        await WriteJsonAsync(context.Response, new JsonObject
        {
            ["model"] = model,
            ["embeddings"] = embeddings,
            ["total_duration"] = 14143917,
            ["load_duration"] = 1019500,
            ["prompt_eval_count"] = input.Sum(TokensFor),
        });
    }

    // routes.go: a non-empty string is one input, an array must hold only strings, null or absent is none.
    private static bool TryReadInput(JsonNode? node, out List<string> input)
    {
        input = [];
        switch (node)
        {
            case null:
                return true;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                var text = value.GetValue<string>();
                if (text.Length > 0)
                {
                    input.Add(text);
                }

                return true;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not JsonValue element || element.GetValueKind() != JsonValueKind.String)
                    {
                        return false;
                    }

                    input.Add(element.GetValue<string>());
                }

                return true;
            default:
                return false;
        }
    }

    private static void Normalize(float[] vector)
    {
        var sum = vector.Sum(v => (double)v * v);
        var scale = (float)(1.0 / Math.Max(Math.Sqrt(sum), 1e-12));
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] *= scale;
        }
    }
}
