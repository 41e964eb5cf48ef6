using System.Globalization;

namespace Jarvis.Hosting.Dashboard.Telemetry;

public sealed partial class TelemetryRepository
{
    /// <summary>The latest calls to generative AI models (spans with <c>gen_ai.system</c> or <c>gen_ai.operation.name</c>), newest first.</summary>
    public IReadOnlyList<GenAiCall> GetGenAiCalls(int limit)
    {
        lock (_lock)
        {
            return [.. _traces.Values
                .SelectMany(t => t.Spans)
                .Where(s => s.Span.Attributes.Any(a => a.Key is "gen_ai.system" or "gen_ai.operation.name"))
                .OrderByDescending(s => s.Span.Start)
                .Take(limit)
                .Select(ToCall)];
        }
    }

    private GenAiCall ToCall(StoredSpan stored)
    {
        var span = stored.Span;
        string? Value(string key) => span.Attributes.FirstOrDefault(a => a.Key == key)?.Value;
        long? Tokens(string key) => long.TryParse(Value(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var tokens) ? tokens : null;
        var firstToken = span.Events.FirstOrDefault(e => e.Name == "gen_ai.first_token");

        return new GenAiCall(
            span.TraceId,
            span.SpanId,
            Name(stored.Resource),
            span.Name,
            span.Start,
            span.Duration,
            Value("gen_ai.system"),
            Value("gen_ai.request.model") ?? Value("gen_ai.response.model"),
            Tokens("gen_ai.usage.input_tokens"),
            Tokens("gen_ai.usage.output_tokens"),
            firstToken is null ? null : firstToken.Timestamp - span.Start,
            span.Status);
    }
}
