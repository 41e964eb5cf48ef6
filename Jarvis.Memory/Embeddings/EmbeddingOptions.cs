namespace Jarvis.Memory.Embeddings;

/// <summary>Where embeddings come from (section <c>Memory:Embeddings</c>).</summary>
public sealed class EmbeddingOptions
{
    /// <summary>
    /// The connection string naming an Ollama model, as the AppHost injects it
    /// (<c>ConnectionStrings__ollama-nomic-embed-text=Endpoint=…;Model=nomic-embed-text</c>); else <c>ConnectionStrings:ollama</c> is read.
    /// </summary>
    public string ConnectionStringName { get; set; } = "ollama-nomic-embed-text";

    /// <summary>The model when the connection string names none.</summary>
    public string Model { get; set; } = "nomic-embed-text";

    /// <summary>How long the attempt during start may take before the lexical embedder stands in (retries go on).</summary>
    public TimeSpan FirstAttemptTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long to wait between attempts to reach Ollama while the lexical embedder stands in.</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(30);
}
