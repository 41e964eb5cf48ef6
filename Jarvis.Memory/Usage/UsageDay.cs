using System.Globalization;

namespace Jarvis.Memory.Usage;

/// <summary>How a UTC day of token usage is written: in routes, in both stores' keys, and in Qdrant's point ids.</summary>
public static class UsageDay
{
    /// <summary>The format: <c>yyyy-MM-dd</c>.</summary>
    public const string Format = "yyyy-MM-dd";

    /// <summary><paramref name="day"/> in <see cref="Format"/>.</summary>
    public static string Of(DateOnly day) => day.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>The day <paramref name="text"/> names in <see cref="Format"/>, or false.</summary>
    public static bool TryParse(string text, out DateOnly day) =>
        DateOnly.TryParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
}
