using Jarvis.Tests.Infrastructure.Otlp.Proto.Trace;

namespace Jarvis.Tests.Infrastructure.Otlp;

/// <summary>A span the receiver got: <see cref="Resource"/> is its service name, the ids lower-case hex.</summary>
public sealed record OtlpSpan(
    string Resource,
    string Scope,
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    string Kind,
    IReadOnlyDictionary<string, string> Attributes)
{
    public string? Attribute(string key) => Attributes.GetValueOrDefault(key);

    internal static OtlpSpan From(Span span, string resource, string scope) => new(
        resource,
        scope,
        OtlpValues.Hex(span.TraceId) ?? "",
        OtlpValues.Hex(span.SpanId) ?? "",
        OtlpValues.Hex(span.ParentSpanId),
        span.Name,
        span.Kind.ToString(),
        OtlpValues.Attributes(span.Attributes));
}
