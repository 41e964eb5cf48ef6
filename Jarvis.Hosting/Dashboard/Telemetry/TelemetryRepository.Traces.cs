namespace Jarvis.Hosting.Dashboard.Telemetry;

public sealed partial class TelemetryRepository
{
    private readonly Dictionary<string, TraceData> _traces = new(StringComparer.Ordinal);

    // Traces in the order their first span arrived: the first one is the one to evict.
    private readonly Queue<TraceData> _traceOrder = new();

    /// <summary>The traces that match the query, newest (latest start) first.</summary>
    public IReadOnlyList<TraceSummary> GetTraces(TraceQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            return [.. _traces.Values
                .Where(t => (!query.ErrorsOnly || t.ErrorCount > 0)
                    && (query.Resource is null || t.Spans.Exists(s => Matches(s.Resource, query.Resource)))
                    && (query.Text is null || t.Spans.Exists(s => s.Span.Name.Contains(query.Text, StringComparison.OrdinalIgnoreCase))))
                .OrderByDescending(t => t.Start)
                .Take(query.Limit)
                .Select(Summarize)];
        }
    }

    /// <summary>A trace with its spans in waterfall order, or null when it is not (or no longer) kept.</summary>
    public TraceDetail? GetTrace(string traceId)
    {
        ArgumentNullException.ThrowIfNull(traceId);
        lock (_lock)
        {
            if (!_traces.TryGetValue(traceId.ToLowerInvariant(), out var trace))
            {
                return null;
            }

            var spans = new List<SpanEntry>(trace.Spans.Count);
            var children = trace.Spans.Where(s => !trace.IsRoot(s.Span)).ToLookup(s => s.Span.ParentSpanId!);
            var pending = new Stack<(StoredSpan Span, int Depth)>();
            foreach (var root in trace.Spans.Where(s => trace.IsRoot(s.Span)).OrderByDescending(s => s.Span.Start))
            {
                pending.Push((root, 0));
            }

            while (pending.TryPop(out var next))
            {
                spans.Add(next.Span.Span with { Resource = Name(next.Span.Resource), Depth = next.Depth });

                // Pushed latest first, so the earliest child is popped (and shown) first.
                foreach (var child in children[next.Span.Span.SpanId].OrderByDescending(s => s.Span.Start))
                {
                    pending.Push((child, next.Depth + 1));
                }
            }

            return new TraceDetail(Summarize(trace), spans);
        }
    }

    private TraceSummary Summarize(TraceData trace)
    {
        var root = trace.Spans.Where(s => trace.IsRoot(s.Span)).MinBy(s => s.Span.Start) ?? trace.Spans.MinBy(s => s.Span.Start)!;
        return new TraceSummary(
            trace.TraceId,
            root.Span.Name,
            Name(root.Resource),
            [.. trace.Spans.OrderBy(s => s.Span.Start).Select(s => Name(s.Resource)).Distinct()],
            trace.Start,
            trace.End - trace.Start,
            trace.Spans.Count,
            trace.ErrorCount);
    }

    /// <summary>Keeps a span in its trace; a new trace beyond the limit evicts the oldest trace, whole.</summary>
    private bool AddSpan(StoredSpan span, TelemetryEvictions evicted)
    {
        if (!_traces.TryGetValue(span.Span.TraceId, out var trace))
        {
            _traces[span.Span.TraceId] = trace = new TraceData(span.Span.TraceId);
            _traceOrder.Enqueue(trace);
            if (_traces.Count > _limits.MaxTraceCount)
            {
                var oldest = _traceOrder.Dequeue();
                _traces.Remove(oldest.TraceId);
                oldest.Spans.ForEach(s => Release(s.Resource));
                evicted.TraceIds.Add(oldest.TraceId);
            }
        }

        if (!trace.Add(span))
        {
            return false;
        }

        Retain(span.Resource);
        return true;
    }
}
