using Jarvis.Memory.Embeddings.Ollama;
using Jarvis.Memory.Storage.Qdrant;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Jarvis.Memory;

/// <summary>
/// Turns a failure of a backend (Qdrant, Ollama) into a 502 or 503 problem detail that says which backend failed and
/// what it answered, instead of a bare 500. Their messages never carry the API key.
/// </summary>
internal sealed partial class BackendExceptionHandler(IProblemDetailsService problemDetails, ILogger<BackendExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (backend, status) = exception switch
        {
            QdrantException => ("Qdrant", StatusCodes.Status502BadGateway),
            OllamaEmbeddingException => ("Ollama", StatusCodes.Status502BadGateway),
            HttpRequestException => ("A backend", StatusCodes.Status503ServiceUnavailable),
            _ => (null, 0),
        };
        if (backend is null)
        {
            return false;
        }

        LogBackendFailed(logger, backend, exception.Message);
        httpContext.Response.StatusCode = status;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = status,
                Title = $"{backend} failed",
                Detail = exception.Message,
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Backend} failed: {Reason}")]
    private static partial void LogBackendFailed(ILogger logger, string backend, string reason);
}
