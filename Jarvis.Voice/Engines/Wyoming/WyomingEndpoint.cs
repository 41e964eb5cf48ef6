using System.Data.Common;

namespace Jarvis.Voice.Engines.Wyoming;

/// <summary>Reads a Wyoming server's connection string, <c>Endpoint=tcp://host:port</c>, as the app host writes it.</summary>
public static class WyomingEndpoint
{
    /// <summary>The endpoint in <paramref name="connectionString"/>; the error names <paramref name="key"/> when it is malformed.</summary>
    public static Uri Parse(string key, string connectionString)
    {
        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = connectionString;
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"{key} is not a connection string (expected Endpoint=tcp://host:port): {e.Message}", e);
        }

        if (!builder.TryGetValue("Endpoint", out var value) || value is not string endpoint || endpoint.Length == 0)
        {
            throw new InvalidOperationException($"{key} has no Endpoint (expected Endpoint=tcp://host:port).");
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme != "tcp" || uri.Port <= 0 || uri.Host.Length == 0)
        {
            throw new InvalidOperationException($"{key} has Endpoint={endpoint}; expected tcp://host:port.");
        }

        return uri;
    }
}
