using System.Globalization;

namespace Jarvis.Api.Quotas;

/// <summary>The user has used their daily LLM tokens; turns that need the LLM are refused until <see cref="ResetAt"/>.</summary>
public sealed class QuotaExceededException : Exception
{
    /// <summary>Creates the exception for a user who, at <paramref name="now"/>, has used <paramref name="used"/> of <paramref name="limit"/> tokens.</summary>
    public QuotaExceededException(long limit, long used, DateTimeOffset now)
        : base(string.Create(
            CultureInfo.InvariantCulture,
            $"The daily LLM token quota ({limit:N0} tokens) is used up ({used:N0}); it resets at {NextMidnight(now):yyyy-MM-dd'T'HH:mm:ss'Z'}."))
    {
        Limit = limit;
        Used = used;
        ResetAt = NextMidnight(now);
        RetryAfterSeconds = Math.Max(1, (long)Math.Ceiling((ResetAt - now).TotalSeconds));
    }

    /// <summary>The daily limit.</summary>
    public long Limit { get; }

    /// <summary>The tokens used today.</summary>
    public long Used { get; }

    /// <summary>When the count starts again: the next UTC midnight.</summary>
    public DateTimeOffset ResetAt { get; }

    /// <summary>Whole seconds from the refusal to the reset, at least 1: the <c>Retry-After</c> header.</summary>
    public long RetryAfterSeconds { get; }

    /// <summary>The 429 problem of the REST routes: the limit, the use and the reset time as extensions, and <c>Retry-After</c>.</summary>
    public IResult ToProblem(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Daily token quota used up",
            detail: Message,
            extensions: new Dictionary<string, object?> { ["limit"] = Limit, ["used"] = Used, ["resetAt"] = ResetAt });
    }

    private static DateTimeOffset NextMidnight(DateTimeOffset now) => new(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
}
