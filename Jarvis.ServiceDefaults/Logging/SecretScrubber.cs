using System.Buffers;
using System.Text.RegularExpressions;

namespace Jarvis.ServiceDefaults.Logging;

/// <summary>
/// Replaces secrets in text with <c>***</c>: authorization headers, bearer tokens, API keys, tokens and passwords in
/// query strings, headers, JSON and connection strings, and passwords in URLs.
/// </summary>
public static partial class SecretScrubber
{
    /// <summary>What a secret is replaced with.</summary>
    public const string Mask = "***";

    // A cheap pre-check: text with none of these fragments cannot match any pattern below but the URL password's.
    private static readonly SearchValues<string> s_triggers = SearchValues.Create(
        ["key", "token", "secret", "passw", "pwd", "auth", "bearer"], StringComparison.OrdinalIgnoreCase);

    // Names whose value is a secret: anything ending in a qualified key, token, secret or password (x-api-key,
    // Jarvis__ApiKey, access_token), and `key` only as a whole name (connection strings' Key=), so "monkey" stays.
    private const string SecretName =
        @"(?:[\w-]*?(?:(?:api|access|account|secret|private|shared[_-]?access|subscription|master|primary|secondary|signing|client|encryption)[_-]?key" +
        @"|token|secret|password|passwd|pwd)|key)";

    /// <summary>Returns <paramref name="text"/> with every secret replaced by <see cref="Mask"/>.</summary>
    public static string Scrub(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        if (!text.AsSpan().ContainsAny(s_triggers))
        {
            // A plain URL, such as every HttpClient log scope's, has no user:password@ to hide.
            return text.Contains('@', StringComparison.Ordinal) && text.Contains("://", StringComparison.Ordinal)
                ? UrlPassword().Replace(text, "${prefix}" + Mask + "@")
                : text;
        }

        var result = AuthorizationHeader().Replace(text, "${name}${scheme}" + Mask);
        result = BearerToken().Replace(result, "${scheme}" + Mask);
        result = JsonProperty().Replace(result, "\"${name}\":\"" + Mask + "\"");
        result = NameValuePair().Replace(result, "${name}${separator}${quote}" + Mask);
        result = UrlPassword().Replace(result, "${prefix}" + Mask + "@");
        return result;
    }

    /// <summary>Whether <paramref name="name"/> (a log field, header or setting name) names a secret.</summary>
    public static bool IsSecretName(string name) => SecretNameOnly().IsMatch(name);

    // Authorization: Bearer xyz  /  "Authorization": "Basic abc"  /  Proxy-Authorization: raw
    [GeneratedRegex(
        @"(?<name>\b(?:proxy-)?authorization[""']?\s*[:=]\s*[""']?)(?>(?<scheme>(?:bearer|basic|digest|negotiate|token|apikey)\s+)?)(?!\*\*\*)[^\s""',;&]+",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AuthorizationHeader();

    // A bearer token outside a header (at least 8 characters, so "Bearer of bad news" stays).
    [GeneratedRegex(@"(?<scheme>\bBearer\s+)(?!\*\*\*)[A-Za-z0-9\-._~+/]{8,}=*", RegexOptions.CultureInvariant)]
    private static partial Regex BearerToken();

    // "password": "secret"  /  "token": 123
    [GeneratedRegex(
        @"""(?<name>" + SecretName + @")""\s*:\s*(?:""(?:\\.|[^""\\])*""|[^,}\]\s]+)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex JsonProperty();

    // api_key=secret123  /  X-API-Key: abc  /  Password=abc;  /  token='abc'
    [GeneratedRegex(
        @"(?<![\w-])(?<name>" + SecretName + @")(?![\w-])(?<separator>\s*(?:=|:(?!//))\s*)(?:(?<quote>[""'])(?!\*\*\*)(?:(?!\k<quote>).)+|(?!\*\*\*)[^\s""'&;,)}\]]+)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NameValuePair();

    // scheme://user:password@host
    [GeneratedRegex(@"(?<prefix>\b[a-z][a-z0-9+.-]*://[^\s/:@]*:)(?!\*\*\*@)[^\s/@]+@", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UrlPassword();

    [GeneratedRegex(@"^" + SecretName + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretNameOnly();
}
