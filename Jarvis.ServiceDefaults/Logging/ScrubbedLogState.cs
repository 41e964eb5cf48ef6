using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Jarvis.ServiceDefaults.Logging;

/// <summary>A log record's state values and formatted message after secret scrubbing.</summary>
internal sealed class ScrubbedLogState(IReadOnlyList<KeyValuePair<string, object?>> values, string message)
    : IReadOnlyList<KeyValuePair<string, object?>>
{
    private const string OriginalFormatKey = "{OriginalFormat}";

    public IReadOnlyList<KeyValuePair<string, object?>> Values { get; } = values;

    public string Message { get; } = message;

    public int Count => Values.Count;

    public KeyValuePair<string, object?> this[int index] => Values[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => Values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => Message;

    /// <summary>
    /// Scrubs <paramref name="values"/>; returns false (and the original values untouched) when nothing was secret, so
    /// callers keep the original object.
    /// </summary>
    public static bool TryScrub(IReadOnlyList<KeyValuePair<string, object?>> values, [NotNullWhen(true)] out ScrubbedLogState? scrubbed)
    {
        KeyValuePair<string, object?>[]? copy = null;
        for (var i = 0; i < values.Count; i++)
        {
            var (key, value) = values[i];
            var replacement = ScrubValue(key, value);
            if (!ReferenceEquals(replacement, value))
            {
                copy ??= [.. values];
                copy[i] = new(key, replacement);
            }
        }

        scrubbed = copy is null ? null : new ScrubbedLogState(copy, ToStringOf(copy));
        return copy is not null;
    }

    private static object? ScrubValue(string key, object? value)
    {
        // The message template is scrubbed too: a secret written literally into it reaches sinks as {OriginalFormat}.
        if (value is null)
        {
            return value;
        }

        if (SecretScrubber.IsSecretName(key))
        {
            return SecretScrubber.Mask;
        }

        if (value is string text)
        {
            var scrubbedText = SecretScrubber.Scrub(text);
            return ReferenceEquals(scrubbedText, text) ? value : scrubbedText;
        }

        // Primitives cannot hold a secret; anything else (a Uri, a record) is checked through its text.
        if (value.GetType().IsPrimitive || value is Enum or DateTime or DateTimeOffset or TimeSpan or Guid or decimal)
        {
            return value;
        }

        var asText = value.ToString();
        if (asText is null)
        {
            return value;
        }

        var scrubbed = SecretScrubber.Scrub(asText);
        return ReferenceEquals(scrubbed, asText) ? value : scrubbed;
    }

    private static string ToStringOf(KeyValuePair<string, object?>[] values) =>
        string.Join(", ", values.Where(v => v.Key != OriginalFormatKey).Select(v => $"{v.Key}:{v.Value}"));
}
