using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Jarvis.Tests.Infrastructure.Ollama;

/// <summary>
/// <c>POST /api/chat</c>: <c>stream</c> true by default (NDJSON, <c>application/x-ndjson</c>, one flushed line per token,
/// then a <c>done:true</c> record with <c>done_reason</c> and the six metrics), <c>stream:false</c> one
/// <c>application/json; charset=utf-8</c> object, tool calls as a whole <c>done:false</c> chunk with empty content,
/// <c>{"error": "..."}</c> with 400 for a missing or invalid body and 404 <c>model 'x' not found</c> for an unknown model,
/// and a scripted mid-stream failure (status 200, a last line <c>{"error": "..."}</c>, or a reset connection). Every
/// request is recorded, and the streams open now are counted.
/// </summary>
public sealed partial class FakeOllamaServer
{
    private readonly ConcurrentQueue<RecordedRequest> _chatRequests = new();
    private readonly ConcurrentQueue<FakeChatReply> _replies = new();

    /// <summary>Every request that reached <c>POST /api/chat</c>, in arrival order (failed ones too).</summary>
    public IReadOnlyList<RecordedRequest> ChatRequests => [.. _chatRequests];

    /// <summary>
    /// Models that refuse a request offering tools, as routes.go does for a model without the tools capability:
    /// 400 <c>{"error":"\"gemma:2b\" does not support tools"}</c>.
    /// </summary>
    public ConcurrentDictionary<string, bool> ModelsWithoutTools { get; } = new(StringComparer.Ordinal);

    private int _openStreams;

    /// <summary>The chat reply when none is scripted.</summary>
    public static FakeChatReply DefaultReply { get; } = new();

    /// <summary>What this server answers when no reply is scripted (<see cref="DefaultReply"/> unless a test sets it).</summary>
    public FakeChatReply UnscriptedReply { get; set; } = DefaultReply;

    /// <summary>Streaming chat responses being written now: 0 once every client has finished or gone away.</summary>
    public int OpenStreams => Volatile.Read(ref _openStreams);

    /// <summary>Scripts the reply to the next <c>POST /api/chat</c> that reaches the model.</summary>
    public void Enqueue(FakeChatReply reply) => _replies.Enqueue(reply);

    /// <summary>Go's <c>time.RFC3339Nano</c> as Ollama writes <c>created_at</c> (nine fraction digits here).</summary>
    public static string CreatedAt(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + "42Z";

    private void MapChat(WebApplication app) => app.MapPost("/api/chat", ChatAsync);

    private async Task ChatAsync(HttpContext context)
    {
        var recorded = await ReadAsync(context);
        _chatRequests.Enqueue(recorded);
        var body = recorded.Body;

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
        if (!HasModel(model))
        {
            await ErrorAsync(context.Response, StatusCodes.Status404NotFound, $"model '{model}' not found");
            return;
        }

        if (request["tools"] is JsonArray { Count: > 0 } && ModelsWithoutTools.ContainsKey(model))
        {
            await ErrorAsync(context.Response, StatusCodes.Status400BadRequest, $"\"{model}\" does not support tools");
            return;
        }

        var stream = request["stream"] is not JsonValue streamValue || !streamValue.TryGetValue<bool>(out var streamFlag) || streamFlag;
        var hasTools = request["tools"] is JsonArray { Count: > 0 };
        var reply = _replies.TryDequeue(out var scripted) ? scripted : UnscriptedReply;
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

        Interlocked.Increment(ref _openStreams);
        try
        {
            await StreamAsync(context, model, reply, toolCalls);
        }
        finally
        {
            Interlocked.Decrement(ref _openStreams);
        }
    }

    private static async Task StreamAsync(HttpContext context, string model, FakeChatReply reply, IReadOnlyList<FakeToolCall> toolCalls)
    {
        StartStream(context);
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

            if (written > 0 && reply.DelayBetweenTokens > TimeSpan.Zero)
            {
                await Task.Delay(reply.DelayBetweenTokens, context.RequestAborted);
            }

            await WriteLineAsync(context.Response, Record(model, token, [], done: false, null, null).ToJsonString());
            written++;
        }

        if (reply.Error is { } midStreamError)
        {
            if (reply.ResetConnection)
            {
                // The tokens already written reach the client first, as from a process that dies mid-answer.
                await Task.Delay(TimeSpan.FromMilliseconds(200), context.RequestAborted);
                context.Abort();
                return;
            }

            await WriteLineAsync(context.Response, new JsonObject { ["error"] = midStreamError }.ToJsonString());
            return;
        }

        if (toolCalls.Count > 0)
        {
            await WriteLineAsync(context.Response, Record(model, "", toolCalls, done: false, null, null).ToJsonString());
        }

        await WriteLineAsync(context.Response, Record(model, "", [], done: true, reply.DoneReason, reply).ToJsonString());
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
}
