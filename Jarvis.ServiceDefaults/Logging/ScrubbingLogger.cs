using Microsoft.Extensions.Logging;

namespace Jarvis.ServiceDefaults.Logging;

/// <summary>Scrubs secrets from the message, the state values, the scopes and the exception of every record.</summary>
internal sealed class ScrubbingLogger(ILogger inner) : ILogger
{
    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => state switch
    {
        string text => inner.BeginScope(SecretScrubber.Scrub(text)),
        IEnumerable<KeyValuePair<string, object?>> values when ScrubbedLogState.TryScrub(AsList(values), out var scrubbed)
            => inner.BeginScope(scrubbed),
        _ => inner.BeginScope(state),
    };

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!inner.IsEnabled(logLevel))
        {
            return;
        }

        var message = SecretScrubber.Scrub(formatter(state, exception));
        var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? AsList(pairs) : [];
        ScrubbedLogState.TryScrub(values, out var scrubbedValues);
        var scrubbedState = new ScrubbedLogState(scrubbedValues?.Values ?? values, message);

        inner.Log(logLevel, eventId, scrubbedState, ScrubbedException.From(exception), static (s, _) => s.Message);
    }

    private static IReadOnlyList<KeyValuePair<string, object?>> AsList(IEnumerable<KeyValuePair<string, object?>> values) =>
        values as IReadOnlyList<KeyValuePair<string, object?>> ?? [.. values];
}
