using System.Net;

namespace Jarvis.Api.Llm;

/// <summary>What went wrong in a call to Ollama's <c>POST /api/chat</c>.</summary>
public enum OllamaChatErrorKind
{
    /// <summary>Ollama answered with an error status, such as 400 or 500.</summary>
    ErrorResponse,

    /// <summary>Ollama does not have the model (404); the message says how to pull it.</summary>
    ModelNotFound,

    /// <summary>Ollama could not be reached, or the call timed out before it answered.</summary>
    Unreachable,

    /// <summary>The stream failed after it started: an <c>{"error": "..."}</c> line, a lost connection, or an early end.</summary>
    MidStream,

    /// <summary>Ollama answered with something that is not a chat response.</summary>
    InvalidResponse,

    /// <summary>The model refuses requests that offer tools; the turn is asked again without them.</summary>
    ToolsNotSupported,
}

/// <summary>
/// A call to Ollama's <c>POST /api/chat</c> failed; <see cref="Exception.Message"/> is written for the operator (which
/// server, which model, what to do) and never carries a socket stack trace.
/// </summary>
public sealed class OllamaChatException : HttpRequestException
{
    /// <summary>Creates the exception for a failure of <paramref name="kind"/> while chatting with <paramref name="model"/>.</summary>
    public OllamaChatException(string message, OllamaChatErrorKind kind, string? model, HttpStatusCode? statusCode = null, string? ollamaError = null, Exception? inner = null)
        : base(message, inner, statusCode)
    {
        Kind = kind;
        Model = model;
        OllamaError = ollamaError;
    }

    /// <summary>Creates the exception with no details.</summary>
    public OllamaChatException()
    {
    }

    /// <summary>Creates the exception with only a message.</summary>
    public OllamaChatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public OllamaChatException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>What kind of failure this is.</summary>
    public OllamaChatErrorKind Kind { get; }

    /// <summary>The model the call asked for.</summary>
    public string? Model { get; }

    /// <summary>The <c>error</c> text Ollama sent, such as <c>model 'x' not found</c>, when it sent one.</summary>
    public string? OllamaError { get; }
}
