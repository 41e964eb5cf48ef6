using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Jarvis.Hosting.Dashboard.Otlp.Proto.Common;
using Jarvis.Hosting.Dashboard.Telemetry;
using TelemetryAttribute = Jarvis.Hosting.Dashboard.Telemetry.Attribute;

namespace Jarvis.Hosting.Dashboard.Otlp;

/// <summary>Renders OTLP attributes and values as text, within the configured limits.</summary>
internal readonly record struct OtlpAttributes(int MaxCount, int? MaxLength)
{
    public static OtlpAttributes From(TelemetryLimitsOptions limits) => new(limits.MaxAttributeCount, limits.MaxAttributeLength);

    public IReadOnlyList<TelemetryAttribute> Convert(RepeatedField<KeyValue>? attributes)
    {
        if (attributes is null || attributes.Count == 0)
        {
            return [];
        }

        var count = Math.Min(attributes.Count, MaxCount);
        var result = new TelemetryAttribute[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = new TelemetryAttribute(attributes[i].Key, Render(attributes[i].Value));
        }

        return result;
    }

    public string Render(AnyValue? value) => Truncate(Text(value, nested: false));

    /// <summary>The sender of a resource's telemetry; OTLP's default service name when it has none.</summary>
    public static ResourceKey KeyOf(RepeatedField<KeyValue>? attributes)
    {
        string? name = null, instance = null;
        foreach (var attribute in attributes ?? [])
        {
            if (attribute.Key == "service.name")
            {
                name = attribute.Value?.StringValue;
            }
            else if (attribute.Key == "service.instance.id")
            {
                instance = attribute.Value?.StringValue;
            }
        }

        return new ResourceKey(string.IsNullOrEmpty(name) ? "unknown_service" : name, instance ?? "");
    }

    /// <summary>Trace and span ids as lower-case hex; null when empty.</summary>
    public static string? Hex(ByteString id) => id.IsEmpty ? null : System.Convert.ToHexStringLower(id.Span);

    public static DateTimeOffset Time(ulong unixNanoseconds) => DateTimeOffset.UnixEpoch.AddTicks((long)(unixNanoseconds / 100));

    private string Truncate(string text) => MaxLength is { } max && text.Length > max ? text[..max] : text;

    private static string Text(AnyValue? value, bool nested) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => nested ? Quote(value.StringValue) : value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BytesValue => nested ? Quote(value.BytesValue.ToBase64()) : value.BytesValue.ToBase64(),
        AnyValue.ValueOneofCase.ArrayValue => "[" + string.Join(", ", value.ArrayValue.Values.Select(v => Text(v, nested: true))) + "]",
        AnyValue.ValueOneofCase.KvlistValue => "{" + string.Join(", ", value.KvlistValue.Values.Select(kv => $"{Quote(kv.Key)}: {Text(kv.Value, nested: true)}")) + "}",
        _ => nested ? "null" : "",
    };

    private static string Quote(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            _ = c switch
            {
                '"' => quoted.Append("\\\""),
                '\\' => quoted.Append("\\\\"),
                '\n' => quoted.Append("\\n"),
                _ => quoted.Append(c),
            };
        }

        return quoted.Append('"').ToString();
    }
}
