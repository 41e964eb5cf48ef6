using System.ComponentModel.DataAnnotations;

namespace Jarvis.Hosting.Dashboard;

/// <summary>The app host's dashboard, bound from the <c>Dashboard</c> configuration section.</summary>
public sealed class DashboardOptions
{
    /// <summary>Serve the dashboard.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Run the real Aspire dashboard container (<c>mcr.microsoft.com/dotnet/aspire-dashboard</c>, needs a container engine)
    /// instead of the app host's own dashboard and OTLP receiver; <see cref="BrowserToken"/> and <see cref="OtlpApiKey"/>
    /// then configure it.
    /// </summary>
    public bool UseAspireDashboardContainer { get; set; }

    /// <summary>Whether the app host serves its own dashboard and OTLP receiver.</summary>
    internal bool ServesOwnDashboard => Enabled && !UseAspireDashboardContainer;

    /// <summary>Where the dashboard listens (Aspire's dashboard port).</summary>
    [Required]
    public Uri Url { get; set; } = new("http://localhost:18888");

    /// <summary>The token of the login URL; a new random one each run when unset.</summary>
    public string? BrowserToken { get; set; }

    /// <summary>Where the OTLP/HTTP receiver listens (Aspire's dashboard OTLP/HTTP port).</summary>
    [Required]
    public Uri OtlpHttpUrl { get; set; } = new("http://localhost:18890");

    /// <summary>
    /// The key every OTLP request must carry in <c>x-otlp-api-key</c>; when unset, <c>AppHost:OtlpApiKey</c>, else a new
    /// random one each run.
    /// </summary>
    public string? OtlpApiKey { get; set; }

    /// <summary>The largest OTLP request body accepted, compressed or not (larger ones get 413).</summary>
    [Range(1024, 1024L * 1024 * 1024)]
    public long OtlpMaxRequestBodySize { get; set; } = 8 * 1024 * 1024;

    /// <summary>Keep telemetry in memory only, or in a SQLite file as well.</summary>
    public TelemetryStorage Storage { get; set; } = TelemetryStorage.Memory;

    /// <summary>
    /// The SQLite file of <see cref="TelemetryStorage.Sqlite"/> storage. Unset, it is <c>dashboard.db</c> in
    /// <c>Jarvis/&lt;app host name&gt;</c> under the user's local application data directory (<c>~/.local/share</c> on
    /// Linux): per user and per app host, and outside the source tree so it is never committed.
    /// </summary>
    public string? SqlitePath { get; set; }
}
