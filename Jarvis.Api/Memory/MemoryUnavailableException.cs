using System.Net;

namespace Jarvis.Api.Memory;

/// <summary>
/// Jarvis.Memory could not be reached, timed out or answered 5xx. Callers degrade gracefully: the turn goes on without
/// memory and says that memory is unavailable right now.
/// </summary>
public sealed class MemoryUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MemoryUnavailableException()
        : this("Jarvis.Memory is unavailable.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MemoryUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public MemoryUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a call to <paramref name="baseAddress"/>.</summary>
    public MemoryUnavailableException(Uri? baseAddress, string message, Exception? innerException = null, HttpStatusCode? statusCode = null)
        : base(baseAddress is null ? message : $"{message} (memory service at {baseAddress})", innerException)
    {
        BaseAddress = baseAddress;
        StatusCode = statusCode;
    }

    /// <summary>The memory service's address, when known.</summary>
    public Uri? BaseAddress { get; }

    /// <summary>The 5xx status the service answered, or null when it could not be reached.</summary>
    public HttpStatusCode? StatusCode { get; }
}
