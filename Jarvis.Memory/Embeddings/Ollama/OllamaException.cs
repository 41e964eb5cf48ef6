using System.Net;

namespace Jarvis.Memory.Embeddings.Ollama;

/// <summary>
/// Ollama answered, but not with embeddings: an error status with its <c>{"error": "..."}</c> text, or a response that
/// does not match <c>POST /api/embed</c>.
/// </summary>
public sealed class OllamaException : HttpRequestException
{
    /// <summary>Creates the exception for an answer with <paramref name="statusCode"/> and Ollama's own <paramref name="ollamaError"/> text.</summary>
    public OllamaException(string message, HttpStatusCode? statusCode, string? ollamaError, Exception? inner = null)
        : base(message, inner, statusCode)
    {
        OllamaError = ollamaError;
    }

    /// <summary>Creates the exception with only a message.</summary>
    public OllamaException()
    {
    }

    /// <summary>Creates the exception with only a message.</summary>
    public OllamaException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public OllamaException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>The <c>error</c> text of Ollama's error body, such as <c>model "x" not found, try pulling it first</c>, when it sent one.</summary>
    public string? OllamaError { get; }
}
