using Jarvis.Tests.Infrastructure.Otlp.Proto.Logs;

namespace Jarvis.Tests.Infrastructure.Otlp;

/// <summary>A log record the receiver got: <see cref="Message"/> is its body as text, <see cref="Category"/> its scope.</summary>
public sealed record OtlpLog(
    string Resource,
    string Category,
    int SeverityNumber,
    string SeverityText,
    string Message,
    string? TraceId,
    string? SpanId,
    IReadOnlyDictionary<string, string> Attributes)
{
    public string? Attribute(string key) => Attributes.GetValueOrDefault(key);

    /// <summary>Everything a sink would see of the record: message and every attribute.</summary>
    public string AllText() => Message + " " + string.Join(" ", Attributes.Select(a => $"{a.Key}={a.Value}"));

    internal static OtlpLog From(LogRecord record, string resource, string category) => new(
        resource,
        category,
        (int)record.SeverityNumber,
        record.SeverityText,
        OtlpValues.Text(record.Body),
        OtlpValues.Hex(record.TraceId),
        OtlpValues.Hex(record.SpanId),
        OtlpValues.Attributes(record.Attributes));
}
