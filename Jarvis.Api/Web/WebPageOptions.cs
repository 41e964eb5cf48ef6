namespace Jarvis.Api.Web;

/// <summary>What the page is told about its surroundings (section <c>Jarvis</c>).</summary>
public sealed class WebPageOptions
{
    /// <summary>
    /// The Aspire dashboard's URL (the AppHost passes <c>Jarvis__DashboardUrl</c>); with it, every reply links to its
    /// trace. Unset, the page shows the trace id only.
    /// </summary>
    public Uri? DashboardUrl { get; set; }
}
