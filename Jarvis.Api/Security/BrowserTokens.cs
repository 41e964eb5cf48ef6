using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Jarvis.Api.Security;

/// <summary>
/// Short-lived tokens a browser obtains with the API key, so the key itself never travels in a URL (a WebSocket cannot
/// send headers from a browser): <c>jt1.{expiry}.{keyId}.{signature}</c>, HMAC-SHA256 signed with a secret made at start,
/// so every token dies with the process too.
/// </summary>
public sealed class BrowserTokens(IOptions<ApiSecurityOptions> options, TimeProvider timeProvider)
{
    private const string Prefix = "jt1";
    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(32);

    /// <summary>A new token for the caller identified by <paramref name="keyId"/>, and when it expires.</summary>
    public (string Token, DateTimeOffset ExpiresAt) Issue(string keyId)
    {
        var expiresAt = timeProvider.GetUtcNow() + options.Value.BrowserTokenLifetime;
        var payload = $"{Prefix}.{expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}.{keyId}";
        return ($"{payload}.{Sign(payload)}", expiresAt);
    }

    /// <summary>The key id of a valid, unexpired token, else null.</summary>
    public string? Validate(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var parts = token.Split('.');
        if (parts.Length != 4 || parts[0] != Prefix || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var expiry))
        {
            return null;
        }

        var payload = string.Join('.', parts[..3]);
        var valid = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(payload)), Encoding.ASCII.GetBytes(parts[3]));
        return valid && DateTimeOffset.FromUnixTimeSeconds(expiry) > timeProvider.GetUtcNow() ? parts[2] : null;
    }

    private string Sign(string payload) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_secret, Encoding.ASCII.GetBytes(payload)));
}
