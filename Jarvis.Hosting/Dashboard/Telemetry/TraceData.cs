namespace Jarvis.Hosting.Dashboard.Telemetry;

/// <summary>The spans received of one trace, with the facts of its summary kept up to date as spans arrive.</summary>
internal sealed class TraceData(string traceId)
{
    private readonly HashSet<string> _spanIds = [];

    public string TraceId { get; } = traceId;

    public List<StoredSpan> Spans { get; } = [];

    public DateTimeOffset Start { get; private set; } = DateTimeOffset.MaxValue;

    public DateTimeOffset End { get; private set; } = DateTimeOffset.MinValue;

    public int ErrorCount { get; private set; }

    /// <summary>Adds a span; false when one with its id is already here (an exporter's retry).</summary>
    public bool Add(StoredSpan span)
    {
        if (!_spanIds.Add(span.Span.SpanId))
        {
            return false;
        }

        Spans.Add(span);
        Start = span.Span.Start < Start ? span.Span.Start : Start;
        End = span.Span.Start + span.Span.Duration > End ? span.Span.Start + span.Span.Duration : End;
        ErrorCount += span.Span.Status == "Error" ? 1 : 0;
        return true;
    }

    /// <summary>A root: no parent, or a parent that was not received.</summary>
    public bool IsRoot(SpanEntry span) => span.ParentSpanId is null || !_spanIds.Contains(span.ParentSpanId);
}
