using System.Data.Common;

namespace Jarvis.Memory.Storage.Qdrant;

/// <summary>
/// Where Qdrant's REST API is and the key it wants, parsed from Aspire's connection string
/// (<c>Endpoint=http://host:6333;Key=secret</c>, <c>Key</c> optional) or a bare URL.
/// </summary>
public sealed class QdrantConnection
{
    /// <summary>The configuration key of the REST endpoint (port 6333), preferred when set.</summary>
    public const string HttpConnectionStringName = "qdrant_http";

    /// <summary>The configuration key Aspire's Qdrant resource sets; read when <see cref="HttpConnectionStringName"/> is not.</summary>
    public const string ConnectionStringName = "qdrant";

    /// <summary>Creates a connection to <paramref name="endpoint"/>, with an optional API key.</summary>
    public QdrantConnection(Uri endpoint, string? apiKey)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new FormatException($"The Qdrant endpoint must be an absolute http or https URL, not '{endpoint}'.");
        }

        Endpoint = endpoint;
        ApiKey = string.IsNullOrEmpty(apiKey) ? null : apiKey;
    }

    /// <summary>The REST API's base address.</summary>
    public Uri Endpoint { get; }

    /// <summary>The key sent as the <c>api-key</c> header, or null when the server needs none. Never log it.</summary>
    public string? ApiKey { get; }

    /// <summary>
    /// Parses <c>Endpoint=...;Key=...</c> (keys case-insensitive, <c>Key</c> optional) or a bare http(s) URL.
    /// Throws <see cref="FormatException"/> saying what is wrong, without echoing the key.
    /// </summary>
    public static QdrantConnection Parse(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var text = connectionString.Trim();
        if (text.Length == 0)
        {
            throw new FormatException("The Qdrant connection string is empty.");
        }

        if ((text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            && Uri.TryCreate(text, UriKind.Absolute, out var bare))
        {
            return new QdrantConnection(bare, apiKey: null);
        }

        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = text;
        }
        catch (ArgumentException)
        {
            // The exception text quotes the string, key included: do not pass it on.
            throw new FormatException(
                "The Qdrant connection string is malformed: expected 'Endpoint=http://host:port;Key=apikey' or a bare http(s) URL.");
        }

        if (!builder.TryGetValue("Endpoint", out var endpointValue) || endpointValue is not string endpoint || endpoint.Length == 0)
        {
            throw new FormatException("The Qdrant connection string has no 'Endpoint': expected 'Endpoint=http://host:port;Key=apikey'.");
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            throw new FormatException($"The Qdrant connection string's Endpoint '{endpoint}' is not an absolute URL.");
        }

        var key = builder.TryGetValue("Key", out var keyValue) ? keyValue as string : null;
        return new QdrantConnection(uri, key);
    }

    /// <summary>
    /// The connection configured as <c>ConnectionStrings:qdrant_http</c>, else <c>ConnectionStrings:qdrant</c>;
    /// null when neither is set (the embedded store is used then).
    /// </summary>
    public static QdrantConnection? FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration.GetConnectionString(HttpConnectionStringName);
        if (string.IsNullOrWhiteSpace(value))
        {
            value = configuration.GetConnectionString(ConnectionStringName);
        }

        return string.IsNullOrWhiteSpace(value) ? null : Parse(value);
    }

    /// <summary>The endpoint only: the key is never part of the text.</summary>
    public override string ToString() => ApiKey is null ? Endpoint.ToString() : $"{Endpoint} (with API key)";
}
