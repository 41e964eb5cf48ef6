using System.Text;
using System.Text.Json;
using Jarvis.Tests.Infrastructure.Otlp;

namespace Jarvis.Tests.Reliability;

/// <summary>
/// What the secret-leak tests read: JSON log lines (console or file) with their strings decoded, so a secret the JSON
/// writer escaped (<c>+</c> as <c>\u002B</c>) is still found, and the OTLP receiver's raw exports.
/// </summary>
public static class LeakChannels
{
    /// <summary>A JSON line's raw text and every string in it decoded; a line that is not JSON as it is.</summary>
    public static string Decoded(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var text = new StringBuilder(line);
            Collect(document.RootElement, text);
            return text.ToString();
        }
        catch (JsonException)
        {
            return line;
        }
    }

    /// <summary>The JSON lines that carry <paramref name="requestId"/>.</summary>
    public static IEnumerable<JsonElement> RecordsOf(IEnumerable<string> lines, string requestId) =>
        lines.Where(l => l.Contains(requestId, StringComparison.Ordinal)).Select(TryParse).OfType<JsonElement>()
            .Where(r => r.TryGetProperty("request_id", out var id) && id.GetString() == requestId);

    /// <summary>Whether any export the receiver got holds <paramref name="value"/> (protobuf stores strings as UTF-8).</summary>
    public static bool OtlpHolds(OtlpReceiver receiver, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        return receiver.Bodies.Any(body => body.AsSpan().IndexOf(bytes) >= 0);
    }

    private static JsonElement? TryParse(string line)
    {
        try
        {
            return JsonDocument.Parse(line).RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void Collect(JsonElement element, StringBuilder text)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    text.Append(' ').Append(property.Name);
                    Collect(property.Value, text);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, text);
                }

                break;
            case JsonValueKind.String:
                text.Append(' ').Append(element.GetString());
                break;
        }
    }
}
