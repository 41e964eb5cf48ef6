namespace Jarvis.ServiceDefaults.Logging;

/// <summary>
/// Stands in for an exception whose message or stack text held a secret. It keeps the original type's name, the
/// scrubbed message and the scrubbed stack trace, so the record stays useful without the secret.
/// </summary>
public sealed class ScrubbedException : Exception
{
    private readonly string _text;
    private readonly string? _stackTrace;

    private ScrubbedException(string originalType, string message, string? stackTrace, string text)
        : base($"{originalType}: {message}")
    {
        OriginalType = originalType;
        _stackTrace = stackTrace;
        _text = text;
    }

    /// <summary>The full name of the exception type that was scrubbed.</summary>
    public string OriginalType { get; }

    /// <inheritdoc/>
    public override string? StackTrace => _stackTrace;

    /// <inheritdoc/>
    public override string ToString() => _text;

    /// <summary>Returns <paramref name="exception"/> itself when it holds no secret, otherwise a scrubbed stand-in.</summary>
    public static Exception? From(Exception? exception)
    {
        if (exception is null)
        {
            return null;
        }

        var text = exception.ToString();
        var scrubbed = SecretScrubber.Scrub(text);
        if (ReferenceEquals(text, scrubbed))
        {
            return exception;
        }

        var type = exception.GetType().FullName ?? exception.GetType().Name;
        return new ScrubbedException(type, SecretScrubber.Scrub(exception.Message), SecretScrubber.Scrub(exception.StackTrace ?? ""), scrubbed);
    }
}
