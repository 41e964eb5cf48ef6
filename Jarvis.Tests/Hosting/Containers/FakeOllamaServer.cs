using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jarvis.Tests.Hosting.Containers;

/// <summary>
/// An Ollama server's model endpoints on a free loopback port, as /work/shared/specs/wire-protocols.md §1 and
/// ollama-api.md describe them: <c>GET /</c>, <c>GET /api/tags</c> and streaming <c>POST /api/pull</c>.
/// </summary>
public sealed class FakeOllamaServer : IAsyncDisposable
{
    private const string Digest = "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72";
    private static readonly string[] Families = ["llama"];

    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly List<string> _models;
    private readonly Dictionary<string, string> _pullErrors = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string ContentType, string Body)> _pulls = new();
    private int _tagRequests;

    private FakeOllamaServer(WebApplication app, IEnumerable<string> models)
    {
        _app = app;
        _models = [.. models];
    }

    /// <summary>Where the server listens, such as <c>http://127.0.0.1:40123</c> (no trailing slash).</summary>
    public string BaseAddress { get; private set; } = "";

    /// <summary>The content type and raw body of every <c>POST /api/pull</c>.</summary>
    public IReadOnlyCollection<(string ContentType, string Body)> Pulls => _pulls;

    /// <summary>How many times <c>GET /api/tags</c> was asked.</summary>
    public int TagRequests => Volatile.Read(ref _tagRequests);

    /// <summary>Starts the server with <paramref name="models"/> already present (full names, such as <c>llama3.2:1b</c>).</summary>
    public static async Task<FakeOllamaServer> StartAsync(IEnumerable<string> models, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "Jarvis.Tests.FakeOllama" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeOllamaServer(app, models);

        app.MapMethods("/", ["GET", "HEAD"], (HttpContext context) => WriteAsync(context.Response, StatusCodes.Status200OK, "text/plain; charset=utf-8", "Ollama is running"));
        app.MapMethods("/api/tags", ["GET", "HEAD"], (HttpContext context) => server.TagsAsync(context.Response));
        app.MapPost("/api/pull", (HttpContext context) => server.PullAsync(context));

        await app.StartAsync(cancellationToken);
        server.BaseAddress = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First().TrimEnd('/');
        return server;
    }

    /// <summary>Makes pulling <paramref name="model"/> fail mid-stream with <paramref name="error"/>, as Ollama does for an unknown model.</summary>
    public void FailPull(string model, string error)
    {
        lock (_lock)
        {
            _pullErrors[model] = error;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
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
        return WriteAsync(response, StatusCodes.Status200OK, "application/json; charset=utf-8", body);
    }

    private async Task PullAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        _pulls.Enqueue((context.Request.ContentType ?? "", body));

        string model;
        bool stream;
        try
        {
            using var request = JsonDocument.Parse(body);
            var root = request.RootElement;
            model = (root.TryGetProperty("model", out var m) ? m : root.GetProperty("name")).GetString() ?? "";
            stream = !root.TryGetProperty("stream", out var s) || s.ValueKind != JsonValueKind.False;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            await WriteAsync(context.Response, StatusCodes.Status400BadRequest, "application/json; charset=utf-8", """{"error":"missing request body"}""");
            return;
        }

        string? error;
        lock (_lock)
        {
            error = _pullErrors.GetValueOrDefault(model);
        }

        if (!stream)
        {
            await WriteAsync(context.Response, error is null ? StatusCodes.Status200OK : StatusCodes.Status500InternalServerError, "application/json; charset=utf-8",
                error is null ? """{"status":"success"}""" : JsonSerializer.Serialize(new { error }));
            Present(model, error);
            return;
        }

        // NDJSON, one flushed line per progress report; an error after the first bytes is a last line, status 200.
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/x-ndjson";
        await LineAsync(context, """{"status":"pulling manifest"}""");
        if (error is not null)
        {
            await LineAsync(context, JsonSerializer.Serialize(new { error }));
            return;
        }

        const string Layer = "dde5aa3fc5ffc17176b5e8bdc82f587b24b2678c6c66101bf7da77af9f7ccdff";
        const long Total = 1321082688;
        await LineAsync(context, $$"""{"status":"pulling {{Layer[..12]}}","digest":"sha256:{{Layer}}","total":{{Total}}}""");
        foreach (var completed in (long[])[Total / 4, Total / 2, Total])
        {
            await LineAsync(context, $$"""{"status":"pulling {{Layer[..12]}}","digest":"sha256:{{Layer}}","total":{{Total}},"completed":{{completed}}}""");
        }

        const string Template = "966de95ca8a62200913e3f8bfbf84c8494536f1b94b49166851e76644e966396";
        await LineAsync(context, $$"""{"status":"pulling {{Template[..12]}}","digest":"sha256:{{Template}}","total":1429,"completed":1429}""");
        await LineAsync(context, """{"status":"verifying sha256 digest"}""");
        await LineAsync(context, """{"status":"writing manifest"}""");
        await LineAsync(context, """{"status":"removing any unused layers"}""");
        Present(model, error: null);
        await LineAsync(context, """{"status":"success"}""");
    }

    private void Present(string model, string? error)
    {
        if (error is not null)
        {
            return;
        }

        lock (_lock)
        {
            _models.Add(model.Contains(':', StringComparison.Ordinal) ? model : model + ":latest");
        }
    }

    private static async Task LineAsync(HttpContext context, string json)
    {
        await context.Response.WriteAsync(json + "\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        await Task.Delay(5, context.RequestAborted);
    }

    private static async Task WriteAsync(HttpResponse response, int status, string contentType, string body)
    {
        response.StatusCode = status;
        response.ContentType = contentType;
        if (HttpMethods.IsHead(response.HttpContext.Request.Method))
        {
            response.ContentLength = Encoding.UTF8.GetByteCount(body);
            return;
        }

        await response.WriteAsync(body, response.HttpContext.RequestAborted);
    }
}
