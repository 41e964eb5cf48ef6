using Jarvis.ServiceDefaults.RequestId;

namespace Microsoft.AspNetCore.Http;

/// <summary>Access to the request id and user id that every log record and span of a request carries.</summary>
public static class HttpContextCorrelationExtensions
{
    /// <summary>The request id of <paramref name="context"/> (from <c>X-Request-ID</c> or generated), or its trace identifier.</summary>
    public static string GetRequestId(this HttpContext context) =>
        context.Features.Get<RequestCorrelationFeature>()?.Scope.RequestId ?? context.TraceIdentifier;

    /// <summary>
    /// Records the user the request acts for: from now on it is on every log record of the request (<c>user_id</c>)
    /// and on the server span.
    /// </summary>
    public static void SetUserId(this HttpContext context, string? userId)
    {
        if (context.Features.Get<RequestCorrelationFeature>() is { } feature)
        {
            feature.Scope.UserId = userId;
        }

        context.Features.Get<Features.IHttpActivityFeature>()?.Activity.SetTag("user_id", userId);
    }
}
