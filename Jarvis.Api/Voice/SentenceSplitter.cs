using System.Text;
using System.Text.RegularExpressions;

namespace Jarvis.Api.Voice;

/// <summary>
/// Cuts a reply streamed token by token into sentences: at <c>.</c>, <c>!</c>, <c>?</c> or <c>…</c> followed by a
/// space, and at a line break; a long run without either is cut at its last space, so speech never waits for a
/// paragraph. The first piece is cut sooner, at its first <c>,</c> <c>;</c> or <c>:</c> past
/// <see cref="FirstClauseLength"/> characters: the time to the first audio is the time to speak it.
/// </summary>
public sealed partial class SentenceSplitter
{
    /// <summary>The longest sentence sent to speech before it is cut at a space.</summary>
    public const int MaxSentenceLength = 240;

    /// <summary>How long the first piece must be before a clause boundary ends it.</summary>
    public const int FirstClauseLength = 40;

    private readonly StringBuilder _pending = new();
    private bool _first = true;

    /// <summary>Adds <paramref name="text"/>; returns the sentences it completes.</summary>
    public IEnumerable<string> Add(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _pending.Append(text);
        List<string> sentences = [];
        var start = 0;
        var buffer = _pending.ToString();
        for (var i = 0; i < buffer.Length; i++)
        {
            var followedBySpace = i + 1 < buffer.Length && char.IsWhiteSpace(buffer[i + 1]);
            var end = buffer[i] is '\n' or '。' or '！' or '？'
                || (buffer[i] is '.' or '!' or '?' or '…' && followedBySpace)
                || (_first && sentences.Count == 0 && buffer[i] is ',' or ';' or ':' && followedBySpace && i - start + 1 >= FirstClauseLength);
            if (!end && i - start + 1 >= MaxSentenceLength)
            {
                // At the last space; a run without one (a long URL) is cut where it is.
                var space = buffer.LastIndexOf(' ', i, i - start);
                var cut = space > start ? space : i + 1;
                sentences.AddIfAny(buffer[start..cut]);
                start = space > start ? space + 1 : i + 1;
            }
            else if (end)
            {
                sentences.AddIfAny(buffer[start..(i + 1)]);
                start = i + 1;
            }
        }

        _pending.Remove(0, start);
        _first &= sentences.Count == 0;
        return sentences;
    }

    /// <summary>What is left once the reply is finished, or null.</summary>
    public string? Flush()
    {
        var rest = _pending.ToString().Trim();
        _pending.Clear();
        return rest.Length > 0 ? rest : null;
    }

    /// <summary>A sentence as it should be spoken: Markdown marks and link targets left out.</summary>
    public static string Speakable(string sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        var text = Link().Replace(sentence, "$1");
        text = Marks().Replace(text, "");
        return Whitespace().Replace(text, " ").Trim();
    }

    [GeneratedRegex(@"\[([^\]]*)\]\([^)]*\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"[*_`#>|~]+|^\s*(?:[-+]|\d+\.)\s+", RegexOptions.Multiline)]
    private static partial Regex Marks();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

internal static class SentenceListExtensions
{
    public static void AddIfAny(this List<string> sentences, string sentence)
    {
        var trimmed = sentence.Trim();
        if (trimmed.Length > 0)
        {
            sentences.Add(trimmed);
        }
    }
}
