using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Jarvis.Memory.Memories;

/// <summary>The memory API: store, search, list, get, delete, forget a user, export.</summary>
public static class MemoryEndpoints
{
    /// <summary>Maps <c>/api/memories</c> and <c>/api/users/{userId}/…</c>.</summary>
    public static IEndpointRouteBuilder MapMemoryApi(this IEndpointRouteBuilder app)
    {
        var memories = app.MapGroup("/api/memories").WithTags("Memories");
        memories.MapPost("/", StoreAsync).WithSummary("Store a memory (idempotent with an Idempotency-Key header).");
        memories.MapPost("/search", SearchAsync).WithSummary("Recall a user's memories that best match a query.");
        memories.MapGet("/", ListAsync).WithSummary("List a user's memories, newest first, a page at a time.");
        memories.MapGet("/{id:guid}", GetAsync).WithSummary("Get one memory of a user.");
        memories.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Delete one memory of a user.");

        var users = app.MapGroup("/api/users/{userId}").WithTags("Users");
        users.MapDelete("/memories", ForgetAsync).WithSummary("Forget everything about a user: memories and conversations.");
        users.MapGet("/export", ExportAsync).WithSummary("Export all of a user's memories as JSON.");
        users.MapPost("/reembed", ReembedAsync).WithSummary("Move a user's memories from older embedders to the current one.");
        return app;
    }

    private static async Task<Results<Created<StoreMemoryResponse>, Ok<StoreMemoryResponse>, ValidationProblem, ProblemHttpResult>> StoreAsync(
        StoreMemoryRequest request,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        MemoryService memories,
        CancellationToken cancellationToken)
    {
        var errors = MemoryValidation.Store(request, out var memory);
        if (idempotencyKey is { Length: 0 or > 255 })
        {
            errors["Idempotency-Key"] = ["must be 1 to 255 characters."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        try
        {
            var result = await memories.StoreAsync(memory!, idempotencyKey, cancellationToken);
            var response = new StoreMemoryResponse(result.Memory.Id, result.Memory.CreatedAt, result.Memory.Embedder);
            return result.Created
                ? TypedResults.Created($"/api/memories/{result.Memory.Id}?userId={Uri.EscapeDataString(result.Memory.UserId)}", response)
                : TypedResults.Ok(response);
        }
        catch (IdempotencyConflictException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Idempotency-Key reused", detail: e.Message);
        }
    }

    private static async Task<Results<Ok<SearchMemoriesResponse>, ValidationProblem>> SearchAsync(SearchMemoriesRequest request, MemoryService memories, CancellationToken cancellationToken)
    {
        var errors = MemoryValidation.Search(request, out var query);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var result = await memories.SearchAsync(query!, cancellationToken);
        return TypedResults.Ok(new SearchMemoriesResponse(result.Embedder, [.. result.Results.Select(r =>
            new SearchHit(r.Memory.Id, r.Memory.Text, r.Memory.Kind, r.Memory.Tags, r.Memory.CreatedAt, r.Score, r.Relevance, r.Recency, r.Importance))]));
    }

    private static async Task<Results<Ok<MemoryListResponse>, ValidationProblem>> ListAsync(string? userId, string? cursor, int? limit, MemoryService memories, CancellationToken cancellationToken)
    {
        var errors = MemoryValidation.Page(userId, limit);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        try
        {
            var page = await memories.ListAsync(userId!, cursor, limit ?? 20, cancellationToken);
            return TypedResults.Ok(new MemoryListResponse([.. page.Items.Select(MemoryResponse.From)], page.NextCursor));
        }
        catch (ArgumentException e) when (e.ParamName == "cursor")
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = ["is not a cursor this service returned."] });
        }
    }

    private static async Task<Results<Ok<MemoryResponse>, ValidationProblem, ProblemHttpResult>> GetAsync(Guid id, string? userId, MemoryService memories, CancellationToken cancellationToken)
    {
        var errors = MemoryValidation.User(userId);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return await memories.GetAsync(userId!, id, cancellationToken) is { } memory
            ? TypedResults.Ok(MemoryResponse.From(memory))
            : NotFound(id);
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteAsync(Guid id, string? userId, MemoryService memories, CancellationToken cancellationToken)
    {
        var errors = MemoryValidation.User(userId);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return await memories.DeleteAsync(userId!, id, cancellationToken) ? TypedResults.NoContent() : NotFound(id);
    }

    private static async Task<Results<Ok<ForgetResponse>, ValidationProblem>> ForgetAsync(string userId, MemoryService memories, CancellationToken cancellationToken)
    {
        var errors = MemoryValidation.User(userId);
        return errors.Count > 0
            ? TypedResults.ValidationProblem(errors)
            : TypedResults.Ok(new ForgetResponse(userId, await memories.ForgetUserAsync(userId, cancellationToken)));
    }

    private static async Task<Results<Ok<UserExport>, ValidationProblem>> ExportAsync(string userId, MemoryService memories, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var errors = MemoryValidation.User(userId);
        return errors.Count > 0
            ? TypedResults.ValidationProblem(errors)
            : TypedResults.Ok(new UserExport(userId, timeProvider.GetUtcNow(), [.. (await memories.ExportAsync(userId, cancellationToken)).Select(MemoryResponse.From)]));
    }

    private static async Task<Results<Ok<ReembedResponse>, ValidationProblem>> ReembedAsync(string userId, MemoryService memories, CancellationToken cancellationToken)
    {
        var errors = MemoryValidation.User(userId);
        return errors.Count > 0
            ? TypedResults.ValidationProblem(errors)
            : TypedResults.Ok(new ReembedResponse(userId, memories.CurrentEmbedder, await memories.ReembedAsync(userId, cancellationToken)));
    }

    // The same answer whether the memory does not exist or belongs to someone else: ids reveal nothing.
    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Memory not found", detail: $"The user has no memory {id}.");
}
