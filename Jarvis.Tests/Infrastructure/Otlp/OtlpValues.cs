using System.Globalization;
using Google.Protobuf;
using Jarvis.Tests.Infrastructure.Otlp.Proto.Common;
using Jarvis.Tests.Infrastructure.Otlp.Proto.Resource;

namespace Jarvis.Tests.Infrastructure.Otlp;

/// <summary>OTLP attributes, values and ids as the text the tests compare.</summary>
internal static class OtlpValues
{
    /// <summary>The sender of a resource's telemetry; OTLP's default service name when it has none.</summary>
    public static string ServiceName(Resource? resource) =>
        resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value?.StringValue is { Length: > 0 } name ? name : "unknown_service";

    /// <summary>Attributes by key; a repeated key keeps its last value.</summary>
    public static IReadOnlyDictionary<string, string> Attributes(IEnumerable<KeyValue>? attributes)
    {
        var result = new Dictionary<string, string>();
        foreach (var attribute in attributes ?? [])
        {
            result[attribute.Key] = Text(attribute.Value);
        }

        return result;
    }

    /// <summary>A value as text: scalars as invariant text, bytes as base64, arrays and maps in brackets and braces.</summary>
    public static string Text(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BytesValue => value.BytesValue.ToBase64(),
        AnyValue.ValueOneofCase.ArrayValue => "[" + string.Join(", ", value.ArrayValue.Values.Select(Text)) + "]",
        AnyValue.ValueOneofCase.KvlistValue => "{" + string.Join(", ", value.KvlistValue.Values.Select(kv => $"{kv.Key}: {Text(kv.Value)}")) + "}",
        _ => "",
    };

    /// <summary>A trace or span id as lower-case hex; null when empty.</summary>
    public static string? Hex(ByteString id) => id.IsEmpty ? null : Convert.ToHexStringLower(id.Span);
}
