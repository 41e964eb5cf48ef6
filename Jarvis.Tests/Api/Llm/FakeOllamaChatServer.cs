using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jarvis.Tests.Api.Llm;

/// <summary>
/// Ollama's <c>POST /api/chat</c> on a free loopback port, as /work/shared/specs/ollama-api.md and wire-protocols.md §1
/// describe it: <c>stream</c> true by default (NDJSON, <c>application/x-ndjson</c>, one flushed line per token, then a
/// <c>done:true</c> record with <c>done_reason</c> and the six metrics), <c>stream:false</c> one
/// <c>application/json; charset=utf-8</c> object, tool calls as a whole <c>done:false</c> chunk with empty content,
/// <c>{"error": "..."}</c> with 400 for a missing or invalid body and 404 <c>model 'x' not found</c> for an unknown model,
/// and a scripted mid-stream failure (status 200, a last line <c>{"error": "..."}</c>). Every request is recorded.
/// </summary>
public sealed class FakeOllamaChatServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HashSet<string> _models;
    private readonly ConcurrentQueue<RecordedChatRequest> _requests = new();
    private readonly ConcurrentQueue<FakeChatReply> _replies = new();

    private FakeOllamaChatServer(WebApplication app, IEnumerable<string> models)
    {
        _app = app;
        _models = new HashSet<string>(models.Select(Canonical), StringComparer.Ordinal);
    }

    /// <summary>Where the server listens, such as <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Every request that reached <c>POST /api/chat</c>, in arrival order (failed ones too).</summary>
    public IReadOnlyList<RecordedChatRequest> Requests => [.. _requests];

    /// <summary>The reply when none is scripted.</summary>
    public static FakeChatReply DefaultReply { get; } = new();

    /// <summary>Starts the server with <paramref name="models"/> pulled (a name without a tag means <c>:latest</c>).</summary>
    public static async Task<FakeOllamaChatServer> StartAsync(IEnumerable<string> models, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "Jarvis.Tests.FakeOllamaChat" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeOllamaChatServer(app, models);
        app.MapPost("/api/chat", server.ChatAsync);

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    /// <summary>Scripts the reply to the next request that reaches the model.</summary>
    public void Enqueue(FakeChatReply reply) => _replies.Enqueue(reply);

    /// <summary>Go's <c>time.RFC3339Nano</c> as Ollama writes <c>created_at</c> (nine fraction digits here).</summary>
    public static string CreatedAt(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + "42Z";

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task ChatAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        _requests.Enqueue(new RecordedChatRequest(context.Request.ContentType ?? "", body));

        if (body.Length == 0)
        {
            await ErrorAsync(context.Response, StatusCodes.Status400BadRequest, "missing request body");
            return;
        }

        JsonObject? request;
        try
        {
            request = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException e)
        {
            await ErrorAsync(context.Response, StatusCodes.Status400BadRequest, e.Message);
            return;
        }

        if (request is null)
        {
            await ErrorAsync(context.Response, StatusCodes.Status400BadRequest, "json: cannot unmarshal into Go value of type api.ChatRequest");
            return;
        }

        var model = request["model"] is JsonValue modelValue && modelValue.TryGetValue<string>(out var name) ? name : "";
        if (!_models.Contains(Canonical(model)))
        {
            await ErrorAsync(context.Response, StatusCodes.Status404NotFound, $"model '{model}' not found");
            return;
        }

        var stream = request["stream"] is not JsonValue streamValue || !streamValue.TryGetValue<bool>(out var streamFlag) || streamFlag;
        var hasTools = request["tools"] is JsonArray { Count: > 0 };
        var reply = _replies.TryDequeue(out var scripted) ? scripted : DefaultReply;
        var toolCalls = hasTools ? reply.ToolCalls : [];

        if (request["messages"] is not JsonArray { Count: > 0 })
        {
            // routes.go: a chat with no messages only loads the model.
            await WriteJsonAsync(context.Response, Record(model, "", [], done: true, "load", metrics: null));
            return;
        }

        if (!stream)
        {
            if (reply.Error is { } error)
            {
                await ErrorAsync(context.Response, StatusCodes.Status500InternalServerError, error);
                return;
            }

            var content = toolCalls.Count > 0 ? "" : string.Concat(reply.Tokens);
            await WriteJsonAsync(context.Response, Record(model, content, toolCalls, done: true, reply.DoneReason, reply));
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/x-ndjson";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        if (reply.DelayBeforeFirstToken > TimeSpan.Zero)
        {
            await Task.Delay(reply.DelayBeforeFirstToken, context.RequestAborted);
        }

        if (reply.HoldFirstTokenUntil is { } hold)
        {
            await hold.WaitAsync(context.RequestAborted);
        }

        var written = 0;
        foreach (var token in toolCalls.Count > 0 ? [] : reply.Tokens)
        {
            if (reply.Error is not null && written == reply.TokensBeforeError)
            {
                break;
            }

            await WriteLineAsync(context.Response, Record(model, token, [], done: false, null, null));
            written++;
        }

        if (reply.Error is { } midStreamError)
        {
            await WriteLineAsync(context.Response, new JsonObject { ["error"] = midStreamError });
            return;
        }

        if (toolCalls.Count > 0)
        {
            await WriteLineAsync(context.Response, Record(model, "", toolCalls, done: false, null, null));
        }

        await WriteLineAsync(context.Response, Record(model, "", [], done: true, reply.DoneReason, reply));
    }

    // api/types.go ChatResponse: model, created_at, message, done_reason (omitempty), done, then the metrics (omitempty).
    private static JsonObject Record(string model, string content, IReadOnlyList<FakeToolCall> toolCalls, bool done, string? doneReason, FakeChatReply? metrics)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = content };
        if (toolCalls.Count > 0)
        {
            message["tool_calls"] = new JsonArray([.. toolCalls.Select((call, i) => (JsonNode)new JsonObject
            {
                ["function"] = new JsonObject { ["index"] = i, ["name"] = call.Name, ["arguments"] = call.Arguments.DeepClone() },
            })]);
        }

        var record = new JsonObject
        {
            ["model"] = model,
            ["created_at"] = CreatedAt(DateTimeOffset.UtcNow),
            ["message"] = message,
        };
        if (doneReason is not null)
        {
            record["done_reason"] = doneReason;
        }

        record["done"] = done;
        if (metrics is not null)
        {
            record["total_duration"] = 4883583458L;
            record["load_duration"] = 1334875L;
            if (metrics.PromptEvalCount is { } promptEvalCount)
            {
                record["prompt_eval_count"] = promptEvalCount;
            }

            record["prompt_eval_duration"] = 342546000L;
            record["eval_count"] = metrics.EvalCount;
            record["eval_duration"] = 4535599000L;
        }

        return record;
    }

    private static async Task WriteLineAsync(HttpResponse response, JsonObject record)
    {
        await response.WriteAsync(record.ToJsonString() + "\n", response.HttpContext.RequestAborted);
        await response.Body.FlushAsync(response.HttpContext.RequestAborted);
    }

    private static Task ErrorAsync(HttpResponse response, int status, string error)
    {
        response.StatusCode = status;
        return WriteJsonAsync(response, new JsonObject { ["error"] = error });
    }

    private static async Task WriteJsonAsync(HttpResponse response, JsonObject body)
    {
        response.ContentType = "application/json; charset=utf-8";
        await response.WriteAsync(body.ToJsonString(), response.HttpContext.RequestAborted);
    }

    private static string Canonical(string model) => model.Contains(':', StringComparison.Ordinal) ? model : model + ":latest";
}

/// <summary>One request to the fake: its content type and raw body.</summary>
public sealed record RecordedChatRequest(string ContentType, string Body)
{
    /// <summary>The body as JSON.</summary>
    public JsonObject Json => (JsonObject)JsonNode.Parse(Body)!;
}

/// <summary>A tool call the fake's model makes when the request offers tools.</summary>
public sealed record FakeToolCall(string Name, JsonObject Arguments);

/// <summary>What the fake's model answers: tokens, or tool calls when the request offers tools, or an error.</summary>
public sealed record FakeChatReply
{
    /// <summary>The streamed tokens; concatenated when not streaming.</summary>
    public IReadOnlyList<string> Tokens { get; init; } = ["The", " sky", " is", " blue", "."];

    /// <summary>Tool calls made instead of text when the request has <c>tools</c>.</summary>
    public IReadOnlyList<FakeToolCall> ToolCalls { get; init; } = [];

    /// <summary>A failure: mid-stream (after <see cref="TokensBeforeError"/> tokens) when streaming, else a 500.</summary>
    public string? Error { get; init; }

    /// <summary>How many tokens are streamed before <see cref="Error"/>.</summary>
    public int TokensBeforeError { get; init; }

    /// <summary><c>prompt_eval_count</c>; null leaves it out, as on a prompt cache hit.</summary>
    public int? PromptEvalCount { get; init; } = 26;

    /// <summary><c>eval_count</c>.</summary>
    public int EvalCount { get; init; } = 5;

    /// <summary><c>done_reason</c>.</summary>
    public string DoneReason { get; init; } = "stop";

    /// <summary>A pause before the first line, to measure the time to first token.</summary>
    public TimeSpan DelayBeforeFirstToken { get; init; }

    /// <summary>When set, the first line waits for this task: a test holds a reply in flight as long as it needs.</summary>
    public Task? HoldFirstTokenUntil { get; init; }
}
