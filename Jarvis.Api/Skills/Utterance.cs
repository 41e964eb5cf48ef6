using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Jarvis.Api.Skills;

/// <summary>
/// What the offline router matches phrasings against: the user's text folded (lower case, no accents, plain apostrophes
/// and dashes, one char for one char, so a match's index and length are also those of the original text), the language
/// it is written in, and the lead-ins every phrasing may start with.
/// </summary>
public static partial class Utterance
{
    /// <summary>"jarvis," / "hey jarvis" and "please", before an English phrasing (in folded text).</summary>
    public const string EnLead = @"^(?:(?:hey\s+|ok\s+)?jarvis[\s,:]+)?(?:please[\s,]+)?";

    /// <summary>"jarvis," / "dis jarvis" and "s'il te plaît", before a French phrasing (in folded text).</summary>
    public const string FrLead = @"^(?:(?:dis\s+|ok\s+)?jarvis[\s,:]+)?(?:s'il\s+te\s+plait[\s,]+)?";

    /// <summary>Either language's lead-in.</summary>
    public const string Lead = @"^(?:(?:hey\s+|ok\s+|dis\s+)?jarvis[\s,:]+)?(?:please[\s,]+|s'il\s+te\s+plait[\s,]+)?";

    /// <summary>Trailing punctuation and the end of the text.</summary>
    public const string Tail = @"[\s.!?]*$";

    /// <summary>The options of every phrasing's regular expression.</summary>
    public const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;

    /// <summary>Whitespace collapsed to single spaces, trimmed, in Unicode composed form.</summary>
    public static string Collapse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Whitespace().Replace(text.Normalize(NormalizationForm.FormC), " ").Trim();
    }

    /// <summary>Lower case, accents removed, typographic apostrophes and dashes made plain, one char for one char.</summary>
    public static string Fold(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = c switch
                {
                    '\u2019' or '\u2018' or '\u02BC' or '`' => '\'',
                    '\u2010' or '\u2011' or '\u2013' => '-',
                    '\u00A0' or '\u202F' => ' ',
                    _ when c < 128 => char.ToLowerInvariant(c),
                    _ => char.ToLowerInvariant(StripAccent(c)),
                };
            }
        });
    }

    /// <summary>
    /// <paramref name="folded"/> without the spaces, emoji and other symbols around it, so that phrasings anchored at both
    /// ends (<see cref="Lead"/> … <see cref="Tail"/>) still match "😀 what time is it? 🕐".
    /// </summary>
    public static string TrimSymbols(string folded)
    {
        ArgumentNullException.ThrowIfNull(folded);
        var start = 0;
        var end = folded.Length;
        while (start < end && IsSymbol(folded[start]))
        {
            start++;
        }

        while (end > start && IsSymbol(folded[end - 1]))
        {
            end--;
        }

        return folded[start..end];
    }

    private static bool IsSymbol(char c) => char.IsWhiteSpace(c) || char.IsSurrogate(c) || char.GetUnicodeCategory(c) is
        UnicodeCategory.OtherSymbol or UnicodeCategory.ModifierSymbol
        or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
        or UnicodeCategory.Format;

    /// <summary><c>fr</c> when <paramref name="folded"/> (see <see cref="Fold"/>) has more French words than English ones, else <c>en</c>.</summary>
    public static string DetectLanguage(string folded)
    {
        ArgumentNullException.ThrowIfNull(folded);
        var french = 0;
        var english = 0;
        foreach (Match word in WordPattern().Matches(folded))
        {
            if (FrenchWord().IsMatch(word.Value))
            {
                french++;
            }
            else if (EnglishWord().IsMatch(word.Value))
            {
                english++;
            }
        }

        return french > english ? "fr" : "en";
    }

    private static char StripAccent(char c)
    {
        // Half of a surrogate pair (an emoji) has no decomposition, and normalising it alone would throw.
        if (char.IsSurrogate(c))
        {
            return c;
        }

        var decomposed = c.ToString().Normalize(NormalizationForm.FormD);
        return decomposed.Length > 0 && decomposed.Skip(1).All(d => CharUnicodeInfo.GetUnicodeCategory(d) == UnicodeCategory.NonSpacingMark)
            ? decomposed[0]
            : c;
    }

    [GeneratedRegex(@"[\p{L}']+", Options)]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"^(?:je|j'|tu|il|elle|nous|vous|ils|elles|est|c'est|suis|es|sont|le|la|les|l'|un|une|des|du|de|d'|et|ou|mais|que|qu'|qui|quoi|pourquoi|comment|quand|ou|avec|pour|dans|sur|pas|ne|n'|moi|toi|mon|ma|mes|ton|ta|tes|ca|cela|merci|oui|non|bonjour|salut|peux|veux|fais|faire|raconte|explique|parle|aujourd'hui|tres|bien|au|aux|ce|cette|ces|quel|quelle|quels|quelles)$", Options)]
    private static partial Regex FrenchWord();

    [GeneratedRegex(@"^(?:i|i'm|you|he|she|we|they|is|are|am|was|the|a|an|and|or|but|that|this|who|what|why|how|when|where|with|for|in|on|not|don't|me|my|your|it|it's|thanks|yes|no|hello|can|could|would|will|do|does|tell|explain|write|about|of|to|please|today|very|good)$", Options)]
    private static partial Regex EnglishWord();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
