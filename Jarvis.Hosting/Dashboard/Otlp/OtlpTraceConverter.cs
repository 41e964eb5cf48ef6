using Jarvis.Hosting.Dashboard.Otlp.Proto.Collector;
using Jarvis.Hosting.Dashboard.Otlp.Proto.Trace;
using Jarvis.Hosting.Dashboard.Telemetry;

namespace Jarvis.Hosting.Dashboard.Otlp;

/// <summary>Turns an OTLP trace export into stored spans.</summary>
internal static class OtlpTraceConverter
{
    /// <summary>Adds the request's spans to the batch; returns how many were rejected (ids of the wrong length, or all zero).</summary>
    public static int Convert(ExportTraceServiceRequest request, OtlpAttributes attributes, TelemetryBatch batch)
    {
        var rejected = 0;
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var resource = OtlpAttributes.KeyOf(resourceSpans.Resource?.Attributes);
            batch.Resources.Add(new StoredResource(resource, attributes.Convert(resourceSpans.Resource?.Attributes)));
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                var scope = scopeSpans.Scope?.Name ?? "";
                foreach (var span in scopeSpans.Spans)
                {
                    if (!IsValid(span))
                    {
                        rejected++;
                        continue;
                    }

                    batch.Spans.Add(new StoredSpan(resource, ToEntry(span, scope, attributes)));
                }
            }
        }

        return rejected;
    }

    private static bool IsValid(Span span) =>
        span.TraceId.Length == 16 && span.SpanId.Length == 8 && span.ParentSpanId.Length is 0 or 8
        && span.TraceId.Span.ContainsAnyExcept((byte)0) && span.SpanId.Span.ContainsAnyExcept((byte)0);

    private static SpanEntry ToEntry(Span span, string scope, OtlpAttributes attributes)
    {
        var start = OtlpAttributes.Time(span.StartTimeUnixNano);
        var end = OtlpAttributes.Time(span.EndTimeUnixNano);
        return new SpanEntry(
            OtlpAttributes.Hex(span.TraceId)!,
            OtlpAttributes.Hex(span.SpanId)!,
            OtlpAttributes.Hex(span.ParentSpanId),
            Resource: "",
            scope,
            span.Name,
            Kind(span.Kind),
            start,
            end > start ? end - start : TimeSpan.Zero,
            Status(span.Status?.Code ?? Proto.Trace.Status.Types.StatusCode.Unset),
            string.IsNullOrEmpty(span.Status?.Message) ? null : span.Status.Message,
            Depth: 0,
            attributes.Convert(span.Attributes),
            span.Events.Select(e => new SpanEvent(e.Name, OtlpAttributes.Time(e.TimeUnixNano), attributes.Convert(e.Attributes))).ToArray());
    }

    private static string Kind(Span.Types.SpanKind kind) => kind switch
    {
        Span.Types.SpanKind.Server => "Server",
        Span.Types.SpanKind.Client => "Client",
        Span.Types.SpanKind.Producer => "Producer",
        Span.Types.SpanKind.Consumer => "Consumer",
        _ => "Internal",
    };

    private static string Status(Proto.Trace.Status.Types.StatusCode code) => code switch
    {
        Proto.Trace.Status.Types.StatusCode.Ok => "Ok",
        Proto.Trace.Status.Types.StatusCode.Error => "Error",
        _ => "Unset",
    };
}
