using System.ComponentModel.DataAnnotations;

namespace Jarvis.Api.Security;

/// <summary>Who may call the Api and how often (section <c>Jarvis</c>).</summary>
public sealed class ApiSecurityOptions
{
    /// <summary>The API key (the AppHost injects <c>Jarvis__ApiKey</c> from its <c>jarvis-api-key</c> parameter).</summary>
    public string? ApiKey { get; set; }

    /// <summary>More accepted keys, for rotation.</summary>
    public List<string> ApiKeys { get; } = [];

    /// <summary>How long a browser token lives.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan BrowserTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Origins allowed by CORS (none by default).</summary>
    public List<string> CorsOrigins { get; } = [];

    /// <summary>Chat requests per minute per key and client (a load test sets it high: a limit is still checked).</summary>
    [Range(1, 100_000_000)]
    public int ChatRequestsPerMinute { get; set; } = 30;

    /// <summary>New WebSocket connections per minute per client.</summary>
    [Range(1, 100_000)]
    public int WebSocketConnectionsPerMinute { get; set; } = 10;

    /// <summary>Every key accepted.</summary>
    public IEnumerable<string> AcceptedKeys => ApiKeys.Prepend(ApiKey ?? "").Where(k => k.Length > 0);
}
