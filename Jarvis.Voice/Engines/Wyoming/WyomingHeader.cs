using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jarvis.Voice.Engines.Wyoming;

/// <summary>A parsed Wyoming header line: the event type, its inline data, and how many data and payload bytes follow.</summary>
internal sealed record WyomingHeader(string Type, JsonObject? Data, int DataLength, int PayloadLength)
{
    // Far beyond any audio chunk or info event: a larger length means the stream is not Wyoming.
    private const int MaxLength = 64 << 20;

    /// <summary>Parses <paramref name="line"/>, throwing a <see cref="WyomingProtocolException"/> that quotes it when it is malformed.</summary>
    public static WyomingHeader Parse(string line)
    {
        JsonObject header;
        try
        {
            header = JsonNode.Parse(line) as JsonObject ?? throw new WyomingProtocolException($"The Wyoming header is not a JSON object: {Shorten(line)}");
        }
        catch (JsonException e)
        {
            throw new WyomingProtocolException($"The Wyoming header is not valid JSON: {Shorten(line)}", e);
        }

        if (header["type"] is not JsonValue typeValue || !typeValue.TryGetValue<string>(out var type) || type.Length == 0)
        {
            throw new WyomingProtocolException($"The Wyoming header has no \"type\": {Shorten(line)}");
        }

        var data = header["data"] switch
        {
            null => null,
            JsonObject inline => (JsonObject)inline.DeepClone(),
            _ => throw new WyomingProtocolException($"The Wyoming header's \"data\" is not an object: {Shorten(line)}"),
        };

        return new WyomingHeader(type, data, Length(header, "data_length", line), Length(header, "payload_length", line));
    }

    /// <summary>The header's data with the additional data (<c>data_length</c> bytes of JSON) merged on top, as the spec says.</summary>
    public JsonObject? MergeAdditionalData(ReadOnlySpan<byte> additionalData)
    {
        JsonObject additional;
        try
        {
            additional = JsonNode.Parse(additionalData) as JsonObject
                ?? throw new WyomingProtocolException($"The additional data of a \"{Type}\" event is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new WyomingProtocolException($"The additional data of a \"{Type}\" event is not valid JSON.", e);
        }

        var merged = Data ?? [];
        foreach (var (name, value) in additional.ToList())
        {
            // A node belongs to one parent: detach it before adding it to the merged object.
            additional.Remove(name);
            merged[name] = value;
        }

        return merged;
    }

    private static int Length(JsonObject header, string name, string line) => header[name] switch
    {
        null => 0,
        JsonValue value when value.TryGetValue<int>(out var length) && length is >= 0 and <= MaxLength => length,
        _ => throw new WyomingProtocolException($"The Wyoming header's \"{name}\" is not a length from 0 to {MaxLength}: {Shorten(line)}"),
    };

    private static string Shorten(string line) => line.Length <= 120 ? line : line[..120] + "…";
}
