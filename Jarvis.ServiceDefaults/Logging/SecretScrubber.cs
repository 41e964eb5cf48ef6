using System.Buffers;
using System.Text.RegularExpressions;

namespace Jarvis.ServiceDefaults.Logging;

/// <summary>
/// Replaces secrets in text with <c>***</c>: authorization headers, bearer tokens, API keys, tokens and passwords in
/// query strings, headers, JSON and connection strings, passwords in URLs, and, wherever they stand, credentials whose
/// shape gives them away (OpenAI, GitHub, AWS, Google, Slack, Stripe keys and the like, JWTs, PEM private keys; the
/// recognisable prefix is kept).
/// </summary>
public static partial class SecretScrubber
{
    /// <summary>What a secret is replaced with.</summary>
    public const string Mask = "***";

    // A cheap pre-check: text with none of these fragments cannot match any pattern below but the URL password's.
    private static readonly SearchValues<string> s_triggers = SearchValues.Create(
        ["key", "token", "secret", "passw", "pwd", "auth", "bearer", "sig",
         // The prefixes of the shapes KnownCredential() recognises.
         "sk-", "sk_", "rk_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "akia", "asia", "aiza", "gocspx-",
         "xox", "sg.", "npm_", "hf_", "dop_v1_", "eyj", "-----begin", "hooks.slack.com", "jt1."],
        StringComparison.OrdinalIgnoreCase);

    // Names whose value is a secret: anything ending in a qualified key, token, secret or password (x-api-key,
    // Jarvis__ApiKey, access_token), and `key` only as a whole name (connection strings' Key=), so "monkey" stays.
    // `sig` and `signature` are the signatures of pre-signed URLs (Azure SAS, X-Amz-Signature).
    private const string SecretName =
        @"(?:[\w-]*?(?:(?:api|access|account|secret|private|shared[_-]?access|subscription|master|primary|secondary|signing|client|encryption)[_-]?key" +
        @"|token|secret|password|passwd|pwd|signature)|key|sig)";

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

        var result = PrivateKey().Replace(text, "${begin}" + Mask);
        result = AuthorizationHeader().Replace(result, "${name}${scheme}" + Mask);
        result = BearerToken().Replace(result, "${scheme}" + Mask);
        result = KnownCredential().Replace(result, "${prefix}" + Mask);
        result = JsonProperty().Replace(result, "\"${name}\":\"" + Mask + "\"");
        result = NameValuePair().Replace(result, "${name}${separator}${quote}" + Mask);
        result = UrlPassword().Replace(result, "${prefix}" + Mask + "@");
        return result;
    }

    /// <summary>Whether <paramref name="name"/> (a log field, header or setting name) names a secret.</summary>
    public static bool IsSecretName(string name) => SecretNameOnly().IsMatch(name);

    // -----BEGIN RSA PRIVATE KEY----- … -----END RSA PRIVATE KEY----- (or cut off anywhere after the header).
    [GeneratedRegex(
        @"(?<begin>-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----)(?!\*\*\*)(?:(?!-----END).)*(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----)?",
        RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex PrivateKey();

    // Credentials recognised by their shape, anywhere: the vendor's prefix is kept, the rest masked. At least 16
    // characters after the prefix (20 for sk-), so words such as "sk-learn" or "hf_model" stay.
    [GeneratedRegex(
        @"(?<![A-Za-z0-9_\-])(?:" +
        @"(?<prefix>sk-(?:proj-|ant-(?:api|admin)\d*-|svcacct-|admin-)?)[A-Za-z0-9_\-]{20,}" +        // OpenAI, Anthropic
        @"|(?<prefix>(?:sk|rk)_(?:live|test)_)[A-Za-z0-9]{16,}" +                                        // Stripe
        @"|(?<prefix>gh[pousr]_)[A-Za-z0-9]{30,}|(?<prefix>github_pat_)[A-Za-z0-9_]{30,}" +                // GitHub
        @"|(?<prefix>glpat-)[A-Za-z0-9_\-]{20,}" +                                                      // GitLab
        @"|(?<prefix>(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA))[A-Z0-9]{16}(?![A-Za-z0-9])" +         // AWS access key ids
        @"|(?<prefix>AIza)[A-Za-z0-9_\-]{35}" +                                                         // Google API keys
        @"|(?<prefix>GOCSPX-)[A-Za-z0-9_\-]{20,}" +                                                     // Google OAuth client secrets
        @"|(?<prefix>xox[abposre]-)[A-Za-z0-9\-]{10,}" +                                                 // Slack tokens
        @"|(?<prefix>SG\.)[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}" +                                    // SendGrid
        @"|(?<prefix>npm_)[A-Za-z0-9]{36}|(?<prefix>hf_)[A-Za-z0-9]{30,}|(?<prefix>dop_v1_)[a-f0-9]{64}" + // npm, Hugging Face, DigitalOcean
        @"|(?<prefix>eyJ)[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*" +                       // JWTs (header.payload.signature)
        @"|(?<prefix>jt1\.)[A-Za-z0-9_.\-]{16,}" +                                                      // Jarvis browser tokens
        @"|(?<prefix>hooks\.slack\.com/services/)[A-Za-z0-9/]{16,}" +                                   // Slack webhooks
        @")",
        RegexOptions.CultureInvariant)]
    private static partial Regex KnownCredential();

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
