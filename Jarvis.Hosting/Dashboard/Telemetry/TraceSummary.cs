namespace Jarvis.Hosting.Dashboard.Telemetry;

/// <summary>A filter over the traces; every given criterion must match.</summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>Resource</c>: Traces with at least one span of this resource (or service name).</item>
/// <item><c>Text</c>: Found, ignoring case, in the name of any span of the trace.</item>
/// <item><c>ErrorsOnly</c>: Only traces with a span whose status is Error.</item>
/// <item><c>Limit</c>: The most traces returned.</item>
/// </list>
/// </remarks>
public sealed record TraceQuery(string? Resource = null, string? Text = null, bool ErrorsOnly = false, int Limit = 100);

/// <summary>One line of the traces page.</summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>RootName</c>: The name of the earliest root span (a span without a parent, or whose parent was not received).</item>
/// <item><c>Resources</c>: The resources with spans in the trace, in order of first appearance.</item>
/// <item><c>Duration</c>: From the earliest span start to the latest span end.</item>
/// <item><c>ErrorCount</c>: Spans whose status is Error.</item>
/// </list>
/// </remarks>
public sealed record TraceSummary(
    string TraceId,
    string RootName,
    string RootResource,
    IReadOnlyList<string> Resources,
    DateTimeOffset Start,
    TimeSpan Duration,
    int SpanCount,
    int ErrorCount);
