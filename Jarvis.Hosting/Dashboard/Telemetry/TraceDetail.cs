namespace Jarvis.Hosting.Dashboard.Telemetry;

/// <summary>A trace with its spans in waterfall order.</summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>Spans</c>: Depth-first from the roots (earliest first), each span's children by start time; a span whose parent was not received is a root.</item>
/// </list>
/// </remarks>
public sealed record TraceDetail(TraceSummary Summary, IReadOnlyList<SpanEntry> Spans);

/// <summary>A span of a trace.</summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>Scope</c>: The instrumentation scope's name (the ActivitySource in .NET).</item>
/// <item><c>Kind</c>: Internal, Server, Client, Producer or Consumer.</item>
/// <item><c>Status</c>: Unset, Ok or Error.</item>
/// <item><c>Depth</c>: 0 for a root, 1 for its children, and so on.</item>
/// </list>
/// </remarks>
public sealed record SpanEntry(
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Resource,
    string Scope,
    string Name,
    string Kind,
    DateTimeOffset Start,
    TimeSpan Duration,
    string Status,
    string? StatusMessage,
    int Depth,
    IReadOnlyList<Attribute> Attributes,
    IReadOnlyList<SpanEvent> Events);

/// <summary>An event recorded on a span (an exception, the first token of a model's answer).</summary>
public sealed record SpanEvent(string Name, DateTimeOffset Timestamp, IReadOnlyList<Attribute> Attributes);
