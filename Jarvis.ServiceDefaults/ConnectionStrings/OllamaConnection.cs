using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Jarvis.ServiceDefaults.ConnectionStrings;

/// <summary>
/// Where an Ollama server is and which model to use, from the connection string the AppHost injects for a model
/// (<c>Endpoint=http://host:port;Model=llama3.2:1b</c>) or a bare server URL with the model from configuration. Shared by
/// Memory (embeddings) and the Api (chat).
/// </summary>
public sealed class OllamaConnection
{
    /// <summary>The connection string key of the server URL.</summary>
    public const string EndpointKey = "Endpoint";

    /// <summary>The connection string key of the model name.</summary>
    public const string ModelKey = "Model";

    /// <summary>Creates a connection to <paramref name="endpoint"/> (an absolute http or https URL) for <paramref name="model"/>.</summary>
    /// <exception cref="FormatException">The endpoint is not an absolute http(s) URL or the model is blank.</exception>
    public OllamaConnection(Uri endpoint, string model)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Endpoint = ValidateEndpoint(endpoint, out var endpointError) ?? throw new FormatException(endpointError);
        Model = string.IsNullOrWhiteSpace(model) ? throw new FormatException("The Ollama model name is empty.") : model.Trim();
    }

    /// <summary>The server's base URL, ending in '/', so <c>api/chat</c> or <c>api/embed</c> resolves under it (a path prefix is kept).</summary>
    public Uri Endpoint { get; }

    /// <summary>The model as Ollama names it, such as <c>llama3.2:1b</c> or <c>nomic-embed-text</c>.</summary>
    public string Model { get; }

    /// <summary>
    /// Reads <c>Endpoint=URL;Model=NAME</c> (keys case-insensitive, no others allowed) or a bare <c>http(s)://</c> URL;
    /// <paramref name="defaultModel"/> applies when the connection string names no model (an empty <c>Model=</c> names none).
    /// </summary>
    /// <exception cref="FormatException">The connection string is malformed; the message says what is wrong.</exception>
    public static OllamaConnection Parse(string? connectionString, string? defaultModel = null, string? defaultModelSetting = null) =>
        TryParse(connectionString, defaultModel, out var connection, out var error, defaultModelSetting) ? connection : throw new FormatException(error);

    /// <summary>
    /// Like <see cref="Parse"/>, but reports a malformed connection string through <paramref name="error"/>, which names
    /// <paramref name="defaultModelSetting"/> (where the default model comes from) when the model is missing.
    /// </summary>
    public static bool TryParse(
        string? connectionString,
        string? defaultModel,
        [NotNullWhen(true)] out OllamaConnection? connection,
        [NotNullWhen(false)] out string? error,
        string? defaultModelSetting = null)
    {
        connection = null;
        error = null;
        var text = connectionString?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            error = "The Ollama connection string is empty; expected 'Endpoint=http://host:port;Model=name'.";
            return false;
        }

        string? endpointText;
        string? model = null;
        if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            endpointText = text;
        }
        else if (!TryReadPairs(text, out endpointText, out model, out error))
        {
            return false;
        }

        if (string.IsNullOrWhiteSpace(endpointText))
        {
            error = $"The Ollama connection string has no {EndpointKey}; expected 'Endpoint=http://host:port;Model=name'.";
            return false;
        }

        if (!Uri.TryCreate(endpointText.Trim(), UriKind.Absolute, out var endpoint) || ValidateEndpoint(endpoint, out error) is not { } validEndpoint)
        {
            // The URL itself is not repeated: it may carry credentials.
            error ??= $"The Ollama {EndpointKey} is not an absolute URL; expected one such as 'http://localhost:11434'.";
            return false;
        }

        if (model is not null && string.IsNullOrWhiteSpace(model))
        {
            error = $"The Ollama connection string's {ModelKey} is empty.";
            return false;
        }

        model ??= defaultModel;
        if (string.IsNullOrWhiteSpace(model))
        {
            error = defaultModelSetting is null
                ? $"The Ollama connection string names no {ModelKey} and no default model is configured."
                : $"The Ollama connection string names no {ModelKey} and no model is configured in {defaultModelSetting}.";
            return false;
        }

        connection = new OllamaConnection(validEndpoint, model);
        error = null;
        return true;
    }

    /// <summary>The server and the model, for logs and health reports.</summary>
    public override string ToString() => $"{Endpoint} ({Model})";

    private static bool TryReadPairs(string text, out string? endpoint, out string? model, [NotNullWhen(false)] out string? error)
    {
        endpoint = null;
        model = null;
        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = text;
        }
        catch (ArgumentException)
        {
            // DbConnectionStringBuilder's message quotes nothing, but ours says what a valid one looks like.
            error = "The Ollama connection string is malformed; expected 'Endpoint=http://host:port;Model=name' or a bare http(s) URL.";
            return false;
        }

        foreach (string key in builder.Keys)
        {
            var value = Convert.ToString(builder[key], CultureInfo.InvariantCulture);
            if (string.Equals(key, EndpointKey, StringComparison.OrdinalIgnoreCase))
            {
                endpoint = value;
            }
            else if (string.Equals(key, ModelKey, StringComparison.OrdinalIgnoreCase))
            {
                model = value ?? "";
            }
            else
            {
                error = $"The Ollama connection string has an unknown key '{key}'; only '{EndpointKey}' and '{ModelKey}' are allowed.";
                return false;
            }
        }

        error = null;
        return true;
    }

    private static Uri? ValidateEndpoint(Uri endpoint, out string? error)
    {
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps) || string.IsNullOrEmpty(endpoint.Host))
        {
            error = $"The Ollama {EndpointKey} must be an absolute http or https URL, such as 'http://localhost:11434'.";
            return null;
        }

        if (!string.IsNullOrEmpty(endpoint.Query) || !string.IsNullOrEmpty(endpoint.Fragment))
        {
            error = $"The Ollama {EndpointKey} must not have a query or fragment; give the server's base URL, such as 'http://localhost:11434'.";
            return null;
        }

        if (!string.IsNullOrEmpty(endpoint.UserInfo))
        {
            error = $"The Ollama {EndpointKey} must not carry credentials in its URL.";
            return null;
        }

        error = null;
        var builder = new UriBuilder(endpoint);
        if (!builder.Path.EndsWith('/'))
        {
            builder.Path += "/";
        }

        return builder.Uri;
    }
}
