namespace Jarvis.Api.Llm;

/// <summary>Defaults of <see cref="OllamaChatClient"/> that apply to every call.</summary>
public sealed class OllamaChatClientOptions
{
    /// <summary>
    /// The default <c>keep_alive</c> (such as <c>5m</c> or <c>-1</c>); null leaves it to Ollama. A call overrides it
    /// with <c>ChatOptions.AdditionalProperties["keep_alive"]</c>.
    /// </summary>
    public string? KeepAlive { get; set; }
}
