using Jarvis.Api.Chat;

namespace Jarvis.Api.Memory;

/// <summary>
/// What Jarvis remembers about a user, for the memory panel: <c>GET /api/memories</c>, <c>DELETE /api/memories/{id}</c>,
/// <c>GET /api/memories/export</c> and <c>DELETE /api/memories</c> (forget everything), from Jarvis.Memory.
/// </summary>
public static class MemoryEndpoints
{
    /// <summary>Maps the routes, behind the API key.</summary>
    public static IEndpointRouteBuilder MapMemoryApi(this IEndpointRouteBuilder app)
    {
        var memories = app.MapGroup("/api/memories").RequireAuthorization().WithTags("Memory");
        memories.MapGet("/", ListAsync).WithSummary("What Jarvis remembers about the user, newest first.");
        memories.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Forget one memory.");
        memories.MapGet("/export", ExportAsync).WithSummary("Everything remembered about the user, as a JSON file.");
        memories.MapDelete("/", ForgetEverythingAsync).WithSummary("Forget everything about the user: memories and conversations.");
        return app;
    }

    private static Task<IResult> ListAsync(string? userId, MemoryClient memory, CancellationToken cancellationToken) =>
        CallAsync(async () => TypedResults.Ok(new MemoryListResponse(await memory.ListMemoriesAsync(ChatTurn.UserOrDefault(userId), cancellationToken: cancellationToken))));

    private static Task<IResult> DeleteAsync(Guid id, string? userId, MemoryClient memory, CancellationToken cancellationToken) =>
        CallAsync(async () => await memory.DeleteMemoryAsync(ChatTurn.UserOrDefault(userId), id, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such memory", detail: $"There is no memory {id} for this user."));

    private static Task<IResult> ExportAsync(string? userId, MemoryClient memory, CancellationToken cancellationToken) =>
        CallAsync(async () => TypedResults.File(await memory.ExportAsync(ChatTurn.UserOrDefault(userId), cancellationToken), "application/json", "jarvis-memories.json"));

    private static Task<IResult> ForgetEverythingAsync(string? userId, MemoryClient memory, CancellationToken cancellationToken) =>
        CallAsync(async () => TypedResults.Ok(new ForgetEverythingResult(await memory.ForgetEverythingAsync(ChatTurn.UserOrDefault(userId), cancellationToken))));

    /// <summary>Runs a call to Jarvis.Memory: unavailable (or busy) is a 503 problem, a refusal a 400.</summary>
    internal static async Task<IResult> CallAsync(Func<Task<IResult>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is MemoryUnavailableException or HttpRequestException { StatusCode: System.Net.HttpStatusCode.TooManyRequests })
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Memory unavailable", detail: e.Message);
        }
        catch (HttpRequestException e) when (e.StatusCode is { } status && (int)status is >= 400 and < 500 and not 429)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Memory refused the request", detail: e.Message);
        }
    }
}

/// <summary>The memories of a user, newest first.</summary>
public sealed record MemoryListResponse(IReadOnlyList<MemoryItem> Memories);

/// <summary>How many memories "forget everything" deleted.</summary>
public sealed record ForgetEverythingResult(long Deleted);

/// <summary>A user's conversations, the most recently active first.</summary>
public sealed record ConversationListResponse(IReadOnlyList<MemoryConversation> Conversations);
