using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Jarvis.Api.Chat;
using Jarvis.Api.Llm;
using Jarvis.Api.Quotas;
using Jarvis.Api.Security;
using Jarvis.ServiceDefaults.Shutdown;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Jarvis.Api.OpenAi;

/// <summary>
/// The OpenAI-compatible channel, so existing OpenAI clients and UIs use Jarvis with its memory: <c>POST
/// /v1/chat/completions</c> (JSON, or <c>stream: true</c> as <c>chat.completion.chunk</c> events ending with
/// <c>data: [DONE]</c>) and <c>GET /v1/models</c>. Errors use OpenAI's <c>{"error": {message, type, param, code}}</c>.
/// </summary>
public static class OpenAiEndpoints
{
    /// <summary>The model name Jarvis answers as.</summary>
    public const string ModelId = "jarvis";

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    /// <summary>Maps <c>/v1</c>, behind the API key (OpenAI clients send it as a bearer token) and the chat rate limit.</summary>
    public static IEndpointRouteBuilder MapOpenAiApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").RequireAuthorization().WithTags("OpenAI");
        v1.MapGet("/models", (TimeProvider time) => Results.Json(new
        {
            @object = "list",
            data = new[] { new { id = ModelId, @object = "model", created = time.GetUtcNow().ToUnixTimeSeconds(), owned_by = "jarvis" } },
        })).WithSummary("The models: Jarvis itself.");
        v1.MapPost("/chat/completions", CompleteAsync).RequireRateLimiting(RateLimitPolicies.Chat)
            .WithSummary("OpenAI chat completions, streaming or not, answered by Jarvis with its memory.");
        return app;
    }

    private static async Task<IResult> CompleteAsync(HttpContext context, ChatService chat, ChatMetrics metrics, DrainState drain, IOptions<ConversationOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        if (drain.IsDraining)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, "The service is stopping; retry in a moment.", type: "api_error");
        }

        CompletionRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<CompletionRequest>(context.Request.Body, s_json, cancellationToken);
        }
        catch (JsonException e)
        {
            return Error(StatusCodes.Status400BadRequest, $"The body is not valid JSON: {e.Message}");
        }

        var messages = request?.Messages?.Where(m => m.Content is not null).ToList() ?? [];
        var last = messages.LastOrDefault(m => m.Role == "user");
        if (last is null)
        {
            return Error(StatusCodes.Status400BadRequest, "messages must contain at least one message with role \"user\".", "messages");
        }

        if (messages.Any(m => m.Role is not null && string.IsNullOrWhiteSpace(m.Role)))
        {
            return Error(StatusCodes.Status400BadRequest, "A message's role may not be empty.", "messages");
        }

        if (messages.Any(m => m.Content!.Length > options.Value.MaxMessageLength))
        {
            return Error(StatusCodes.Status413PayloadTooLarge, $"A message may have at most {options.Value.MaxMessageLength} characters.", "messages");
        }

        var history = messages.Select(m => new ChatMessage(new ChatRole(m.Role ?? "user"), m.Content)).ToList();
        var turn = new ChatTurn(ChatTurn.UserOrDefault(request!.User), $"openai-{context.GetRequestId()}", last.Content!, history);
        var id = $"chatcmpl-{Guid.NewGuid():N}";
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        var channel = request.Stream ? "openai-stream" : "openai";
        try
        {
            if (request.Stream)
            {
                context.Response.ContentType = "text/event-stream";
                context.Response.Headers.CacheControl = "no-cache";
                var first = true;
                await foreach (var item in chat.RunAsync(turn, cancellationToken))
                {
                    var chunk = item switch
                    {
                        ChatToken token => Chunk(id, created, new { role = first ? "assistant" : null, content = token.Text }, null),
                        ChatDone => Chunk(id, created, new { }, "stop"),
                        _ => null,
                    };
                    first = false;
                    await context.Response.WriteAsync($"data: {JsonSerializer.Serialize(chunk, s_json)}\n\n", cancellationToken);
                    await context.Response.Body.FlushAsync(cancellationToken);
                }

                await context.Response.WriteAsync("data: [DONE]\n\n", cancellationToken);
                metrics.Request(channel, "ok");
                return Results.Empty;
            }

            await foreach (var item in chat.RunAsync(turn, cancellationToken))
            {
                if (item is ChatDone done)
                {
                    metrics.Request(channel, "ok");
                    var input = done.Usage.InputTokens ?? 0;
                    var output = done.Usage.OutputTokens ?? 0;
                    return Results.Json(new
                    {
                        id,
                        @object = "chat.completion",
                        created,
                        model = ModelId,
                        choices = new[] { new { index = 0, message = new { role = "assistant", content = done.Reply }, finish_reason = "stop" } },
                        usage = new { prompt_tokens = input, completion_tokens = output, total_tokens = input + output },
                    }, s_json);
                }
            }

            throw new InvalidOperationException("A chat turn ended without its final event.");
        }
        catch (QuotaExceededException e)
        {
            // OpenAI's answer to a used-up quota; refused before the first chunk, so the status is still to be sent.
            metrics.Request(channel, "rejected");
            context.Response.Headers.RetryAfter = e.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return Error(StatusCodes.Status429TooManyRequests, e.Message, type: "insufficient_quota", code: "insufficient_quota");
        }
        catch (OllamaChatException e) when (!context.Response.HasStarted)
        {
            metrics.Request(channel, "error");
            return Error(StatusCodes.Status502BadGateway, e.Message, type: "api_error");
        }
        catch (OllamaChatException e)
        {
            // Mid-stream: the status is sent; the error is the last event.
            metrics.Request(channel, "error");
            await context.Response.WriteAsync($"data: {JsonSerializer.Serialize(new { error = new { message = e.Message, type = "api_error", param = (string?)null, code = (string?)null } }, s_json)}\n\n", cancellationToken);
            return Results.Empty;
        }
    }

    private static object Chunk(string id, long created, object delta, string? finishReason) => new
    {
        id,
        @object = "chat.completion.chunk",
        created,
        model = ModelId,
        choices = new[] { new { index = 0, delta, finish_reason = finishReason } },
    };

    private static IResult Error(int status, string message, string? param = null, string type = "invalid_request_error", string? code = null) =>
        Results.Json(new { error = new { message, type, param, code } }, s_json, statusCode: status);

    private sealed record CompletionRequest(string? Model, List<CompletionMessage>? Messages, bool Stream, string? User);

    private sealed record CompletionMessage(string? Role, string? Content);
}
