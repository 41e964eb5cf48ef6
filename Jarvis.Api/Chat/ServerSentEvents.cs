using System.Text.Json;

namespace Jarvis.Api.Chat;

/// <summary>Server-sent events as the chat and voice routes write them: <c>event: NAME</c>, <c>data: JSON</c>, each flushed at once.</summary>
internal static class ServerSentEvents
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    /// <summary>True when the client asks for <c>text/event-stream</c>.</summary>
    public static bool IsRequested(HttpRequest request) =>
        request.Headers.Accept.Any(a => a?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>Starts the stream's response: its content type, never cached.</summary>
    public static void Start(HttpResponse response)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
    }

    /// <summary>Writes one event and flushes it, so the client sees it now.</summary>
    public static async Task WriteAsync(HttpResponse response, string name, object data, CancellationToken cancellationToken)
    {
        await response.WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(data, s_json)}\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
