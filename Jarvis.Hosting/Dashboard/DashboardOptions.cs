using System.ComponentModel.DataAnnotations;

namespace Jarvis.Hosting.Dashboard;

/// <summary>The app host's dashboard, bound from the <c>Dashboard</c> configuration section.</summary>
public sealed class DashboardOptions
{
    /// <summary>Serve the dashboard.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where the dashboard listens (Aspire's dashboard port).</summary>
    [Required]
    public Uri Url { get; set; } = new("http://localhost:18888");

    /// <summary>The token of the login URL; a new random one each run when unset.</summary>
    public string? BrowserToken { get; set; }
}
