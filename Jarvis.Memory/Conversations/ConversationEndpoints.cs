using Jarvis.Memory.Memories;
using Jarvis.Memory.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Jarvis.Memory.Conversations;

/// <summary>Conversation turns: append one, read the last N; and a user's conversations.</summary>
public static class ConversationEndpoints
{
    private const int MaxConversationIdLength = 128;
    private const int MaxLast = 500;
    private const int MaxTurnsPerRequest = 200;
    private static readonly string[] s_roles = ["user", "assistant", "system", "tool"];

    /// <summary>Maps <c>/api/conversations/{conversationId}/turns</c>.</summary>
    public static IEndpointRouteBuilder MapConversationApi(this IEndpointRouteBuilder app)
    {
        var turns = app.MapGroup("/api/conversations/{conversationId}/turns").WithTags("Conversations");
        turns.MapPost("/", AppendAsync).WithSummary("Append a turn to a user's conversation.");
        turns.MapGet("/", GetAsync).WithSummary("The last turns of a user's conversation, oldest first.");
        app.MapPost("/api/turns", AppendManyAsync).WithTags("Conversations")
            .WithSummary("Append turns to users' conversations at once: all of them or none, in order.");
        app.MapGet("/api/users/{userId}/conversations", ListAsync).WithTags("Conversations")
            .WithSummary("A user's conversations, the most recently active first.");
        return app;
    }

    private static async Task<Results<Created<ConversationTurn>, ValidationProblem>> AppendAsync(
        string conversationId, AppendTurnRequest request, IMemoryStore store, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        Turn(string.Empty, conversationId, request.UserId, request.Role, request.Text, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var turn = await store.AppendTurnAsync(request.UserId!, conversationId, request.Role!, request.Text!, timeProvider.GetUtcNow(), cancellationToken);
        return TypedResults.Created($"/api/conversations/{Uri.EscapeDataString(conversationId)}/turns?userId={Uri.EscapeDataString(turn.UserId)}", turn);
    }

    // One request for many turns is what lets the Api record every concurrent chat turn in one commit.
    private static async Task<Results<Ok<AppendTurnsResponse>, ValidationProblem>> AppendManyAsync(
        AppendTurnsRequest request, IMemoryStore store, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Turns is not { Count: > 0 and <= MaxTurnsPerRequest } turns)
        {
            errors["turns"] = [$"must hold 1 to {MaxTurnsPerRequest} turns."];
            return TypedResults.ValidationProblem(errors);
        }

        for (var i = 0; i < turns.Count; i++)
        {
            var turn = turns[i];
            if (turn is null)
            {
                errors[$"turns[{i}]"] = ["must be a turn."];
                continue;
            }

            Turn($"turns[{i}].", turn.ConversationId ?? string.Empty, turn.UserId, turn.Role, turn.Text, errors);
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var appended = await store.AppendTurnsAsync(
            [.. turns.Select(t => new NewTurn(t!.UserId!, t.ConversationId!, t.Role!, t.Text!))], timeProvider.GetUtcNow(), cancellationToken);
        return TypedResults.Ok(new AppendTurnsResponse(appended));
    }

    private static void Turn(string prefix, string conversationId, string? userId, string? role, string? text, Dictionary<string, string[]> errors)
    {
        ConversationId(conversationId, prefix, errors);
        var own = new Dictionary<string, string[]>();
        MemoryValidation.UserId(userId, own);
        MemoryValidation.Text(text, "text", own);
        if (role is null || !s_roles.Contains(role))
        {
            own["role"] = [$"must be one of: {string.Join(", ", s_roles)}."];
        }

        foreach (var (key, messages) in own)
        {
            errors[prefix + key] = messages;
        }
    }

    private static async Task<Results<Ok<ConversationTurnsResponse>, ValidationProblem>> GetAsync(
        string conversationId, string? userId, int? last, IMemoryStore store, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        ConversationId(conversationId, string.Empty, errors);
        MemoryValidation.UserId(userId, errors);
        if (last is { } count && count is < 1 or > MaxLast)
        {
            errors["last"] = [$"must be from 1 to {MaxLast}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return TypedResults.Ok(new ConversationTurnsResponse(conversationId, await store.GetTurnsAsync(userId!, conversationId, last ?? 20, cancellationToken)));
    }

    private static async Task<Results<Ok<ConversationListResponse>, ValidationProblem>> ListAsync(
        string userId, int? limit, IMemoryStore store, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        MemoryValidation.UserId(userId, errors);
        if (limit is { } count && count is < 1 or > MaxLast)
        {
            errors["limit"] = [$"must be from 1 to {MaxLast}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return TypedResults.Ok(new ConversationListResponse(await store.ListConversationsAsync(userId, limit ?? 50, cancellationToken)));
    }

    private static void ConversationId(string conversationId, string prefix, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(conversationId) || conversationId.Length > MaxConversationIdLength || conversationId.Any(char.IsControl))
        {
            errors[prefix + "conversationId"] = [$"must be 1 to {MaxConversationIdLength} characters, without control characters."];
        }
    }
}

/// <summary>The body of <c>POST /api/conversations/{conversationId}/turns</c>.</summary>
public sealed record AppendTurnRequest(string? UserId, string? Role, string? Text);

/// <summary>The body of <c>POST /api/turns</c>: turns of any users' conversations, appended in this order.</summary>
public sealed record AppendTurnsRequest(IReadOnlyList<NewTurnRequest?>? Turns);

/// <summary>One turn of <see cref="AppendTurnsRequest"/>.</summary>
public sealed record NewTurnRequest(string? UserId, string? ConversationId, string? Role, string? Text);

/// <summary>The turns <c>POST /api/turns</c> appended, with their sequence numbers, in the request's order.</summary>
public sealed record AppendTurnsResponse(IReadOnlyList<ConversationTurn> Turns);

/// <summary>The last turns of a conversation, oldest first.</summary>
public sealed record ConversationTurnsResponse(string ConversationId, IReadOnlyList<ConversationTurn> Turns);

/// <summary>A user's conversations, the most recently active first.</summary>
public sealed record ConversationListResponse(IReadOnlyList<ConversationSummary> Conversations);
