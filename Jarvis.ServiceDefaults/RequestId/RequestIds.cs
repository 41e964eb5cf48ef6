using System.Text.RegularExpressions;

namespace Jarvis.ServiceDefaults.RequestId;

/// <summary>Request id rules: an incoming <c>X-Request-ID</c> is kept only when it is safe to log and echo.</summary>
public static partial class RequestIds
{
    /// <summary>The header that carries the request id in and out of every service.</summary>
    public const string HeaderName = "X-Request-ID";

    /// <summary>Whether <paramref name="value"/> is at most 128 characters of letters, digits and <c>-_.:</c>.</summary>
    public static bool IsSafe(string? value) => value is not null && SafeValue().IsMatch(value);

    /// <summary>A new request id (a version 7 GUID, so ids sort by time).</summary>
    public static string New() => Guid.CreateVersion7().ToString("N");

    [GeneratedRegex(@"^[A-Za-z0-9\-_.:]{1,128}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SafeValue();
}
