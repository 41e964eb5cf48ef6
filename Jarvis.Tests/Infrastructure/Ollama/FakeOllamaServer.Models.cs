using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Jarvis.Tests.Infrastructure.Ollama;

/// <summary>
/// The model endpoints: <c>GET /</c> ("Ollama is running"), <c>GET /api/tags</c> (the models present) and
/// <c>POST /api/pull</c> (NDJSON progress by default, one object with <c>stream:false</c>; a failed pull is a last
/// <c>{"error": "..."}</c> line after status 200, or a 500 when not streaming).
/// </summary>
public sealed partial class FakeOllamaServer
{
    private const string Digest = "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72";
    private static readonly string[] Families = ["llama"];

    private readonly Dictionary<string, string> _pullErrors = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedRequest> _pulls = new();
    private int _tagRequests;

    /// <summary>The content type and raw body of every <c>POST /api/pull</c>.</summary>
    public IReadOnlyList<RecordedRequest> Pulls => [.. _pulls];

    /// <summary>How many times <c>GET /api/tags</c> was asked.</summary>
    public int TagRequests => Volatile.Read(ref _tagRequests);

    /// <summary>Makes pulling <paramref name="model"/> fail mid-stream with <paramref name="error"/>, as Ollama does for an unknown model.</summary>
    public void FailPull(string model, string error)
    {
        lock (_lock)
        {
            _pullErrors[model] = error;
        }
    }

    private void MapModels(WebApplication app)
    {
        app.MapMethods("/", ["GET", "HEAD"], (HttpContext context) => WriteAsync(context.Response, StatusCodes.Status200OK, "text/plain; charset=utf-8", "Ollama is running"));
        app.MapMethods("/api/tags", ["GET", "HEAD"], (HttpContext context) => TagsAsync(context.Response));
        app.MapPost("/api/pull", PullAsync);
    }

    private Task TagsAsync(HttpResponse response)
    {
        Interlocked.Increment(ref _tagRequests);
        List<string> models;
        lock (_lock)
        {
            models = [.. _models];
        }

        var body = JsonSerializer.Serialize(new
        {
            models = models.Select(m => new
            {
                name = m,
                model = m,
                modified_at = "2025-05-04T17:37:44.706015396-07:00",
                size = 2019393189L,
                digest = Digest,
                details = new
                {
                    parent_model = "",
                    format = "gguf",
                    family = "llama",
                    families = Families,
                    parameter_size = "3.2B",
                    quantization_level = "Q4_K_M",
                },
            }),
        });
        return WriteAsync(response, StatusCodes.Status200OK, JsonContentType, body);
    }

    private async Task PullAsync(HttpContext context)
    {
        var recorded = await ReadAsync(context);
        _pulls.Enqueue(recorded);

        string model;
        bool stream;
        try
        {
            using var request = JsonDocument.Parse(recorded.Body);
            var root = request.RootElement;
            model = (root.TryGetProperty("model", out var m) ? m : root.GetProperty("name")).GetString() ?? "";
            stream = !root.TryGetProperty("stream", out var s) || s.ValueKind != JsonValueKind.False;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            await WriteAsync(context.Response, StatusCodes.Status400BadRequest, JsonContentType, """{"error":"missing request body"}""");
            return;
        }

        string? error;
        lock (_lock)
        {
            error = _pullErrors.GetValueOrDefault(model);
        }

        if (!stream)
        {
            await WriteAsync(context.Response, error is null ? StatusCodes.Status200OK : StatusCodes.Status500InternalServerError, JsonContentType,
                error is null ? """{"status":"success"}""" : JsonSerializer.Serialize(new { error }));
            Present(model, error);
            return;
        }

        // NDJSON, one flushed line per progress report; an error after the first bytes is a last line, status 200.
        StartStream(context);
        await PullLineAsync(context, """{"status":"pulling manifest"}""");
        if (error is not null)
        {
            await PullLineAsync(context, JsonSerializer.Serialize(new { error }));
            return;
        }

        const string Layer = "dde5aa3fc5ffc17176b5e8bdc82f587b24b2678c6c66101bf7da77af9f7ccdff";
        const long Total = 1321082688;
        await PullLineAsync(context, $$"""{"status":"pulling {{Layer[..12]}}","digest":"sha256:{{Layer}}","total":{{Total}}}""");
        foreach (var completed in (long[])[Total / 4, Total / 2, Total])
        {
            await PullLineAsync(context, $$"""{"status":"pulling {{Layer[..12]}}","digest":"sha256:{{Layer}}","total":{{Total}},"completed":{{completed}}}""");
        }

        const string Template = "966de95ca8a62200913e3f8bfbf84c8494536f1b94b49166851e76644e966396";
        await PullLineAsync(context, $$"""{"status":"pulling {{Template[..12]}}","digest":"sha256:{{Template}}","total":1429,"completed":1429}""");
        await PullLineAsync(context, """{"status":"verifying sha256 digest"}""");
        await PullLineAsync(context, """{"status":"writing manifest"}""");
        await PullLineAsync(context, """{"status":"removing any unused layers"}""");
        Present(model, error: null);
        await PullLineAsync(context, """{"status":"success"}""");
    }

    private void Present(string model, string? error)
    {
        if (error is not null)
        {
            return;
        }

        lock (_lock)
        {
            _models.Add(Canonical(model));
        }
    }

    /// <summary>A progress line, then a short pause so that a client sees the progress as separate reports.</summary>
    private static async Task PullLineAsync(HttpContext context, string json)
    {
        await WriteLineAsync(context.Response, json);
        await Task.Delay(5, context.RequestAborted);
    }
}
