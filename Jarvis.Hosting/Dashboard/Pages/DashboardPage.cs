namespace Jarvis.Hosting.Dashboard.Pages;

/// <summary>
/// One page of the dashboard: its route, its title, the section of the navigation it belongs to, and the embedded
/// fragment (<c>wwwroot/{Asset}.html</c>) and script (<c>wwwroot/{Asset}.js</c>) that make it.
/// </summary>
internal sealed record DashboardPage(string Route, string Title, string Section, string Asset)
{
    public static readonly DashboardPage Resources = new("/", "Resources", "Resources", "resources");
    public static readonly DashboardPage Resource = new("/resources/{name}", "Resource", "Resources", "resource");
    public static readonly DashboardPage Console = new("/consolelogs", "Console", "Console", "console");
    public static readonly DashboardPage StructuredLogs = new("/structuredlogs", "Structured logs", "Structured logs", "structuredlogs");
    public static readonly DashboardPage Traces = new("/traces", "Traces", "Traces", "traces");
    public static readonly DashboardPage Trace = new("/traces/{traceId}", "Trace", "Traces", "trace");
    public static readonly DashboardPage Metrics = new("/metrics", "Metrics", "Metrics", "metrics");
    public static readonly DashboardPage GenAi = new("/genai", "GenAI", "GenAI", "genai");

    /// <summary>Every page, in the order of the navigation for those that head a section.</summary>
    public static readonly IReadOnlyList<DashboardPage> All = [Resources, Resource, Console, StructuredLogs, Traces, Trace, Metrics, GenAi];
}
