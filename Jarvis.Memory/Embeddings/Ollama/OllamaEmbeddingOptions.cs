using System.ComponentModel.DataAnnotations;

namespace Jarvis.Memory.Embeddings.Ollama;

/// <summary>How <see cref="OllamaEmbeddingGenerator"/> calls Ollama's <c>POST /api/embed</c>.</summary>
public sealed class OllamaEmbeddingOptions
{
    /// <summary>The default of <see cref="MaxBatchSize"/>.</summary>
    public const int DefaultMaxBatchSize = 64;

    /// <summary>At most this many texts go in one request; more are split into ordered batches.</summary>
    [Range(1, 4096)]
    public int MaxBatchSize { get; set; } = DefaultMaxBatchSize;

    /// <summary>Ollama's <c>keep_alive</c>, such as <c>5m</c> or <c>-1</c>; unset leaves the server's default.</summary>
    public string? KeepAlive { get; set; }

    /// <summary>
    /// Ollama's <c>dimensions</c>: the vectors are cut to this size and re-normalised (for models trained for it, such as
    /// nomic-embed-text); unset keeps the model's own size.
    /// </summary>
    [Range(1, 65536)]
    public int? Dimensions { get; set; }
}
