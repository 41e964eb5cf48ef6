using System.Net;

namespace Jarvis.Memory.Embeddings.Ollama;

/// <summary>
/// Ollama answered, but not with embeddings: an error status, or vectors that do not match the texts. The message says
/// which server and model, and what to do; memory's API answers it as a 502 naming Ollama.
/// </summary>
public sealed class OllamaEmbeddingException : HttpRequestException
{
    /// <summary>Creates the exception for an answer with <paramref name="statusCode"/>.</summary>
    public OllamaEmbeddingException(string message, HttpStatusCode? statusCode, Exception? inner = null)
        : base(message, inner, statusCode)
    {
    }

    /// <summary>Creates the exception with no details.</summary>
    public OllamaEmbeddingException()
    {
    }

    /// <summary>Creates the exception with only a message.</summary>
    public OllamaEmbeddingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public OllamaEmbeddingException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
