using System.Diagnostics;
using Jarvis.Api.Llm;
using Jarvis.Api.Memory;
using Jarvis.Api.Quotas;
using Jarvis.Api.Security;
using Jarvis.ServiceDefaults.Shutdown;
using Microsoft.Extensions.Options;

namespace Jarvis.Api.Chat;

/// <summary>The REST chat channel: <c>POST /api/chat</c> (JSON, or server-sent events) and <c>GET /api/conversations/{id}</c>.</summary>
public static class ChatEndpoints
{
    /// <summary>Maps the routes, behind the API key and the chat rate limit.</summary>
    public static IEndpointRouteBuilder MapChatApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireAuthorization().WithTags("Chat");
        api.MapPost("/chat", ChatAsync).RequireRateLimiting(RateLimitPolicies.Chat)
            .WithSummary("Send a message; the reply as JSON, or streamed as server-sent events with Accept: text/event-stream.");
        api.MapGet("/conversations", ConversationsAsync).WithSummary("The user's conversations, the most recently active first.");
        api.MapGet("/conversations/{conversationId}", ConversationAsync).WithSummary("The turns of a conversation.");
        return app;
    }

    private static async Task<IResult> ChatAsync(
        ChatRequest request, HttpContext context, ChatService chat, ChatMetrics metrics, DrainState drain, IOptions<ConversationOptions> options, CancellationToken cancellationToken)
    {
        var sse = ServerSentEvents.IsRequested(context.Request);
        var channel = sse ? "sse" : "rest";
        if (drain.IsDraining)
        {
            metrics.Request(channel, "rejected");
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Shutting down", detail: "The service is stopping; retry in a moment.");
        }

        if (string.IsNullOrWhiteSpace(request.Message))
        {
            metrics.Request(channel, "invalid");
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["message"] = ["is required."] });
        }

        if (request.Message.Length > options.Value.MaxMessageLength)
        {
            metrics.Request(channel, "invalid");
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Message too large",
                detail: $"A message may have at most {options.Value.MaxMessageLength} characters; this one has {request.Message.Length}.");
        }

        var turn = ChatTurn.Of(request.UserId, request.ConversationId, request.Message);
        var requestId = context.GetRequestId();
        try
        {
            if (sse)
            {
                await StreamAsync(context, chat.RunAsync(turn, cancellationToken), requestId, metrics, cancellationToken);
                return TypedResults.Empty;
            }

            await foreach (var item in chat.RunAsync(turn, cancellationToken))
            {
                if (item is ChatDone done)
                {
                    metrics.Request(channel, "ok");
                    return TypedResults.Ok(new ChatResponse(done.Reply, done.ConversationId, requestId, Activity.Current?.TraceId.ToHexString(), done.Usage, done.Timings, done.Responder));
                }
            }
        }
        catch (OllamaChatException e)
        {
            metrics.Request(channel, "error");
            return TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The LLM failed", detail: e.Message);
        }
        catch (QuotaExceededException e)
        {
            // Refused before the first event, so even a stream's status is still to be sent.
            metrics.Request(channel, "rejected");
            return e.ToProblem(context);
        }

        throw new InvalidOperationException("A chat turn ended without its final event.");
    }

    /// <summary>Server-sent events: <c>token</c> events, then <c>done</c> (usage, timings), or <c>error</c> if the LLM fails.</summary>
    private static async Task StreamAsync(HttpContext context, IAsyncEnumerable<ChatEvent> events, string? requestId, ChatMetrics metrics, CancellationToken cancellationToken)
    {
        ServerSentEvents.Start(context.Response);
        try
        {
            await foreach (var item in events)
            {
                var (name, data) = item switch
                {
                    ChatToken token => ("token", (object)new { text = token.Text }),
                    ChatDone done => ("done", new ChatResponse(done.Reply, done.ConversationId, requestId, Activity.Current?.TraceId.ToHexString(), done.Usage, done.Timings, done.Responder)),
                    _ => throw new InvalidOperationException($"Unknown chat event {item}."),
                };
                await ServerSentEvents.WriteAsync(context.Response, name, data, cancellationToken);
            }

            metrics.Request("sse", "ok");
        }
        catch (OllamaChatException e)
        {
            // After the first token the status is sent: the failure ends the stream as an event.
            metrics.Request("sse", "error");
            await ServerSentEvents.WriteAsync(context.Response, "error", new { code = "llm_failed", message = e.Message }, cancellationToken);
        }
    }

    private static Task<IResult> ConversationsAsync(string? userId, MemoryClient memory, CancellationToken cancellationToken) =>
        MemoryEndpoints.CallAsync(async () => TypedResults.Ok(new ConversationListResponse(
            await memory.ListConversationsAsync(ChatTurn.UserOrDefault(userId), cancellationToken: cancellationToken))));

    private static Task<IResult> ConversationAsync(string conversationId, string? userId, MemoryClient memory, CancellationToken cancellationToken) =>
        MemoryEndpoints.CallAsync(async () =>
        {
            var turns = await memory.GetTurnsAsync(ChatTurn.UserOrDefault(userId), conversationId, 500, cancellationToken);
            // What was said: skills' state turns (a game's, say) are not for the reader.
            return TypedResults.Ok(new ConversationResponse(conversationId, [.. turns.Where(t => t.Role is "user" or "assistant")]));
        });
}

/// <summary>The body of <c>POST /api/chat</c>.</summary>
public sealed record ChatRequest(string? Message, string? ConversationId, string? UserId);

/// <summary>The answer to a chat turn; <see cref="TraceId"/> finds the turn in the Aspire dashboard.</summary>
public sealed record ChatResponse(string Reply, string ConversationId, string? RequestId, string? TraceId, ChatUsage Usage, ChatTimings Timings, string Responder);

/// <summary>The turns of a conversation, oldest first.</summary>
public sealed record ConversationResponse(string ConversationId, IReadOnlyList<MemoryTurn> Turns);
