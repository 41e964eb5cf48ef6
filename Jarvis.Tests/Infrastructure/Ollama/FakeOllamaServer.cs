using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Jarvis.Tests.Infrastructure.Ollama;

/// <summary>
/// An Ollama server on a free loopback port, as /work/shared/specs/ollama-api.md and wire-protocols.md §1 describe it:
/// <c>GET /</c>, <c>GET /api/tags</c> and streaming <c>POST /api/pull</c> (FakeOllamaServer.Models.cs),
/// <c>POST /api/embed</c> (FakeOllamaServer.Embed.cs) and streaming <c>POST /api/chat</c> (FakeOllamaServer.Chat.cs).
/// Every endpoint sees the same models: those it was started with and those pulled since, a name without a tag meaning
/// <c>:latest</c>.
/// </summary>
public sealed partial class FakeOllamaServer : IAsyncDisposable
{
    private const string JsonContentType = "application/json; charset=utf-8";

    private readonly Lock _lock = new();
    private readonly List<string> _models;
    private WebApplication _app = null!;

    private FakeOllamaServer(IEnumerable<string> models) => _models = [.. models.Select(Canonical)];

    /// <summary>Where the server listens, such as <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Starts the server with <paramref name="models"/> pulled (a name without a tag means <c>:latest</c>).</summary>
    public static async Task<FakeOllamaServer> StartAsync(IEnumerable<string> models, CancellationToken cancellationToken)
    {
        var server = new FakeOllamaServer(models);
        (server._app, server.BaseAddress) = await LoopbackApp.StartAsync("Jarvis.Tests.FakeOllama", app =>
        {
            server.MapModels(app);
            server.MapEmbed(app);
            server.MapChat(app);
        }, cancellationToken);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private bool HasModel(string model)
    {
        var name = Canonical(model);
        lock (_lock)
        {
            return _models.Contains(name);
        }
    }

    private static string Canonical(string model) => model.Contains(':', StringComparison.Ordinal) ? model : model + ":latest";

    private static async Task<RecordedRequest> ReadAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        return new RecordedRequest(context.Request.ContentType ?? "", body);
    }

    /// <summary>Starts an NDJSON stream (<c>application/x-ndjson</c>, status 200); a later failure can only be a last line.</summary>
    private static void StartStream(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/x-ndjson";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    /// <summary>One NDJSON line, flushed so the client sees it at once.</summary>
    private static async Task WriteLineAsync(HttpResponse response, string json)
    {
        await response.WriteAsync(json + "\n", response.HttpContext.RequestAborted);
        await response.Body.FlushAsync(response.HttpContext.RequestAborted);
    }

    /// <summary>Ollama's error body, <c>{"error": "..."}</c>.</summary>
    private static Task ErrorAsync(HttpResponse response, int status, string error) =>
        WriteAsync(response, status, JsonContentType, new JsonObject { ["error"] = error }.ToJsonString());

    private static Task WriteJsonAsync(HttpResponse response, JsonObject body) =>
        WriteAsync(response, StatusCodes.Status200OK, JsonContentType, body.ToJsonString());

    /// <summary>The whole response; a <c>HEAD</c> gets the headers and length only.</summary>
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

/// <summary>One request to the fake: its content type and raw body.</summary>
public sealed record RecordedRequest(string ContentType, string Body)
{
    /// <summary>The body as JSON.</summary>
    public JsonObject Json => (JsonObject)JsonNode.Parse(Body)!;

    /// <summary>The body's <c>input</c> array (a <c>POST /api/embed</c>).</summary>
    public IReadOnlyList<string> Inputs =>
        [.. JsonNode.Parse(Body)!["input"]!.AsArray().Select(item => item!.GetValue<string>())];
}
