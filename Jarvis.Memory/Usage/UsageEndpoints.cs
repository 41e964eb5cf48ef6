using Jarvis.Memory.Memories;
using Jarvis.Memory.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Jarvis.Memory.Usage;

/// <summary>Users' daily LLM token counts, which the Api's quotas read and add to: <c>/api/users/{userId}/usage/{day}</c>.</summary>
public static class UsageEndpoints
{
    // More than any one turn can use; a larger add is a bug or an attack, not usage.
    private const long MaxTokensPerAdd = 10_000_000;

    /// <summary>Maps <c>GET</c> and <c>POST /api/users/{userId}/usage/{day}</c> (<c>day</c> a UTC date, <c>yyyy-MM-dd</c>).</summary>
    public static IEndpointRouteBuilder MapUsageApi(this IEndpointRouteBuilder app)
    {
        var usage = app.MapGroup("/api/users/{userId}/usage/{day}").WithTags("Usage");
        usage.MapGet("/", GetAsync).WithSummary("The LLM tokens the user has used on a UTC day.");
        usage.MapPost("/", AddAsync).WithSummary("Add LLM tokens to the user's count for a UTC day; returns the new count.");
        return app;
    }

    private static async Task<Results<Ok<TokenUsage>, ValidationProblem>> GetAsync(string userId, string day, IMemoryStore store, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var date = Validate(userId, day, errors);
        return errors.Count > 0
            ? TypedResults.ValidationProblem(errors)
            : TypedResults.Ok(new TokenUsage(userId, day, await store.GetTokenUsageAsync(userId, date, cancellationToken)));
    }

    private static async Task<Results<Ok<TokenUsage>, ValidationProblem>> AddAsync(
        string userId, string day, AddTokensRequest request, IMemoryStore store, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var date = Validate(userId, day, errors);
        if (request.Tokens is not (>= 0 and <= MaxTokensPerAdd))
        {
            errors["tokens"] = [$"must be from 0 to {MaxTokensPerAdd}."];
        }

        return errors.Count > 0
            ? TypedResults.ValidationProblem(errors)
            : TypedResults.Ok(new TokenUsage(userId, day, await store.AddTokenUsageAsync(userId, date, request.Tokens!.Value, cancellationToken)));
    }

    private static DateOnly Validate(string userId, string day, Dictionary<string, string[]> errors)
    {
        MemoryValidation.UserId(userId, errors);
        if (!UsageDay.TryParse(day, out var date))
        {
            errors["day"] = [$"must be a date, {UsageDay.Format}."];
        }

        return date;
    }
}

/// <summary>The body of <c>POST /api/users/{userId}/usage/{day}</c>.</summary>
public sealed record AddTokensRequest(long? Tokens);

/// <summary>A user's LLM tokens on a UTC day.</summary>
public sealed record TokenUsage(string UserId, string Day, long Tokens);
