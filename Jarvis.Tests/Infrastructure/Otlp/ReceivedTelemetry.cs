using Google.Protobuf.Collections;
using Jarvis.Tests.Infrastructure.Otlp.Common;
using Jarvis.Tests.Infrastructure.Otlp.Logs;
using Jarvis.Tests.Infrastructure.Otlp.Metrics;
using Jarvis.Tests.Infrastructure.Otlp.Trace;

namespace Jarvis.Tests.Infrastructure.Otlp;

public sealed record ReceivedSpan(string ServiceName, RepeatedField<KeyValue> ResourceAttributes, Span Span)
{
    public string? Attribute(string key) => Otlp.Attribute(Span.Attributes, key);

    public string? ResourceAttribute(string key) => Otlp.Attribute(ResourceAttributes, key);

    public string TraceId => Convert.ToHexStringLower(Span.TraceId.Span);
}

public sealed record ReceivedLog(string ServiceName, string Category, LogRecord Record)
{
    public string? Attribute(string key) => Otlp.Attribute(Record.Attributes, key);

    public string Body => Record.Body?.StringValue ?? "";

    public string TraceId => Convert.ToHexStringLower(Record.TraceId.Span);

    /// <summary>Everything a sink would see of this record: body and every attribute value.</summary>
    public string AllText => Body + " " + string.Join(" ", Record.Attributes.Select(a => $"{a.Key}={Otlp.Text(a.Value)}"));
}

public sealed record ReceivedMetric(string ServiceName, string MeterName, Metric Metric);

public sealed record ReceivedExport(string Signal, string Protocol, IReadOnlyDictionary<string, string> Headers);

internal static class Otlp
{
    public static string? Attribute(IEnumerable<KeyValue> attributes, string key) =>
        attributes.FirstOrDefault(a => a.Key == key) is { } attribute ? Text(attribute.Value) : null;

    public static string Text(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.ArrayValue => string.Join(",", value.ArrayValue.Values.Select(Text)),
        _ => "",
    };
}
