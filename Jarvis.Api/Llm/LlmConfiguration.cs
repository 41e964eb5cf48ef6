using Jarvis.ServiceDefaults.ConnectionStrings;

namespace Jarvis.Api.Llm;

/// <summary>Which Ollama model the Api chats with, from its configuration.</summary>
public static class LlmConfiguration
{
    /// <summary>The configuration key naming the connection string; by default the AppHost's model resource.</summary>
    public const string ConnectionStringNameKey = "Jarvis:Llm:ConnectionStringName";

    /// <summary>The configuration key of the model used when the connection string names none.</summary>
    public const string ModelKey = "Jarvis:Llm:Model";

    /// <summary>How long a started stream may go without a token before it is given up (default 60 s).</summary>
    public const string StreamIdleTimeoutKey = "Jarvis:Llm:StreamIdleTimeout";

    /// <summary>
    /// The connection from <c>ConnectionStrings:{Jarvis:Llm:ConnectionStringName}</c> (default <c>ollama-llama3-2</c>,
    /// what the AppHost injects), else <c>ConnectionStrings:ollama</c>, with <c>Jarvis:Llm:Model</c> as the model when
    /// the connection string names none; null when neither is set (the offline responder answers then).
    /// </summary>
    /// <exception cref="FormatException">The connection string is set but malformed; the message says which and why.</exception>
    public static OllamaConnection? FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (var name in new[] { configuration[ConnectionStringNameKey] ?? "ollama-llama3-2", "ollama" })
        {
            if (configuration.GetConnectionString(name) is { } value && !string.IsNullOrWhiteSpace(value))
            {
                return OllamaConnection.TryParse(value, configuration[ModelKey], out var connection, out var error, ModelKey)
                    ? connection
                    : throw new FormatException($"ConnectionStrings:{name} is invalid: {error}");
            }
        }

        return null;
    }
}
