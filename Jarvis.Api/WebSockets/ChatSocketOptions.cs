using System.ComponentModel.DataAnnotations;

namespace Jarvis.Api.WebSockets;

/// <summary>The WebSocket channel (section <c>Jarvis:WebSocket</c>).</summary>
public sealed class ChatSocketOptions
{
    /// <summary>The hard cap on one incoming message, in bytes: beyond it the connection closes with 1009.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Messages a connection may send per <see cref="MessageWindow"/>; more get a <c>rate_limited</c> error.</summary>
    [Range(1, 100_000)]
    public int MessagesPerWindow { get; set; } = 20;

    /// <summary>The window of <see cref="MessagesPerWindow"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MessageWindow { get; set; } = TimeSpan.FromSeconds(10);
}
