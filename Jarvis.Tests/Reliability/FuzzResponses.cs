using System.Collections.Concurrent;
using System.Text.Json;

namespace Jarvis.Tests.Reliability;

/// <summary>How a route reports an error: RFC 9457 problem details, or the OpenAI dialect's <c>{"error": {...}}</c>.</summary>
public enum ErrorStyle
{
    Problem,
    OpenAi,
}

/// <summary>
/// A fuzzed route and what may come back: <paramref name="Statuses"/>, and a 503 only when <paramref name="Unavailable"/>
/// names its title (a dependency that is down, a deliberate and documented answer; never an unhandled exception's).
/// </summary>
public sealed record FuzzRoute(string Path, ErrorStyle Errors, int[] Statuses, string? Unavailable = null)
{
    /// <summary>How often each status came back.</summary>
    public ConcurrentDictionary<int, int> Tally { get; } = new();

    /// <summary>How many answers had a status matching <paramref name="match"/>.</summary>
    public int Count(Func<int, bool> match) => Tally.Where(t => match(t.Key)).Sum(t => t.Value);

    public override string ToString() => $"{Path} [{string.Join(", ", Tally.OrderBy(t => t.Key).Select(t => $"{t.Key}: {t.Value}"))}]";
}

/// <summary>The checks every answer to a fuzzed request must pass.</summary>
public static class FuzzResponses
{
    public const string RequestIdHeader = "X-Request-ID";

    /// <summary>
    /// Null when <paramref name="response"/> is acceptable for <paramref name="route"/>: an allowed status; an
    /// <c>X-Request-ID</c>; and for an error, problem details whose <c>status</c> is the status and whose
    /// <c>requestId</c> is the header's (or, on <c>/v1</c>, OpenAI's error object, whose request id is the header: OpenAI
    /// puts it there too). Otherwise what is wrong.
    /// </summary>
    public static async Task<string?> CheckAsync(HttpResponseMessage response, FuzzRoute route, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        route.Tally.AddOrUpdate(status, 1, (_, n) => n + 1);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var said = $"{status} {response.Content.Headers.ContentType} {Shorten(body)}";
        if (!response.Headers.TryGetValues(RequestIdHeader, out var ids) || ids.SingleOrDefault() is not { Length: > 0 } requestId)
        {
            return $"no {RequestIdHeader}: {said}";
        }

        if (!route.Statuses.Contains(status) && !(status == 503 && route.Unavailable is not null))
        {
            return $"status {status} is not allowed on {route.Path}: {said}";
        }

        if (status < 400)
        {
            return null;
        }

        JsonElement error;
        try
        {
            error = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            return $"the error is not JSON: {said}";
        }

        if (route.Errors == ErrorStyle.OpenAi)
        {
            return response.Content.Headers.ContentType?.MediaType == "application/json"
                && error.TryGetProperty("error", out var inner)
                && inner.TryGetProperty("message", out var message) && message.GetString() is { Length: > 0 }
                && inner.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                ? null
                : $"not an OpenAI error object: {said}";
        }

        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"not application/problem+json: {said}";
        }

        if (!error.TryGetProperty("status", out var problemStatus) || problemStatus.GetInt32() != status
            || !error.TryGetProperty("title", out var title) || title.GetString() is not { Length: > 0 } titleText)
        {
            return $"the problem has no matching status and title: {said}";
        }

        if (!error.TryGetProperty("requestId", out var problemId) || problemId.GetString() != requestId)
        {
            return $"the problem's requestId is not the header's {requestId}: {said}";
        }

        return status == 503 && titleText != route.Unavailable ? $"a 503 that is not '{route.Unavailable}': {said}" : null;
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
