using System.Net;

namespace Jarvis.Memory.Storage.Qdrant;

/// <summary>
/// Qdrant answered with an error: <see cref="StatusCode"/> is its HTTP status and <see cref="QdrantError"/> its own
/// error text (<c>status.error</c> of the error envelope, or the plain-text body), so the API can map it to a problem
/// detail. The message never contains the API key.
/// </summary>
public sealed class QdrantException : Exception
{
    /// <summary>Creates the exception for an error answer.</summary>
    public QdrantException(HttpStatusCode statusCode, string? qdrantError, string message)
        : base(message)
    {
        StatusCode = statusCode;
        QdrantError = qdrantError;
    }

    /// <summary>Creates the exception for an answer that could not be understood.</summary>
    public QdrantException(HttpStatusCode statusCode, string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>Qdrant's HTTP status code.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>Qdrant's error text, when it sent one.</summary>
    public string? QdrantError { get; }
}
