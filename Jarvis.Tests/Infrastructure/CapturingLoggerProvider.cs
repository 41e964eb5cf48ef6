using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Jarvis.Tests.Infrastructure;

/// <summary>Keeps every record it is given, with its state values and scopes, as a sink sees them.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<CapturedLog> _records = new();
    private IExternalScopeProvider? _scopes;

    public IReadOnlyCollection<CapturedLog> Records => _records;

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = new Dictionary<string, object?>(StringComparer.Ordinal);
            if (state is IEnumerable<KeyValuePair<string, object?>> stateValues)
            {
                foreach (var (key, value) in stateValues)
                {
                    values[key] = value;
                }
            }

            var scopes = new Dictionary<string, object?>(StringComparer.Ordinal);
            provider._scopes?.ForEachScope(static (scope, bag) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object?>> scopeValues)
                {
                    foreach (var (key, value) in scopeValues)
                    {
                        bag.TryAdd(key, value);
                    }
                }
                else if (scope is not null)
                {
                    bag.TryAdd("scope", scope.ToString());
                }
            }, scopes);

            provider._records.Enqueue(new CapturedLog(category, logLevel, formatter(state, exception), values, scopes, exception));
        }
    }
}

public sealed record CapturedLog(
    string Category,
    LogLevel Level,
    string Message,
    IReadOnlyDictionary<string, object?> State,
    IReadOnlyDictionary<string, object?> Scopes,
    Exception? Exception)
{
    public object? Field(string key) => State.TryGetValue(key, out var value) ? value : Scopes.GetValueOrDefault(key);

    /// <summary>Everything a sink could write of this record.</summary>
    public string AllText =>
        $"{Message} {string.Join(" ", State.Select(kv => $"{kv.Key}={kv.Value}"))} {string.Join(" ", Scopes.Select(kv => $"{kv.Key}={kv.Value}"))} {Exception}";
}

public static class CapturingLoggingBuilderExtensions
{
    /// <summary>Replaces the console provider with a <see cref="CapturingLoggerProvider"/>, which is returned.</summary>
    public static CapturingLoggerProvider CaptureInsteadOfConsole(this ILoggingBuilder logging)
    {
        var services = logging.Services;
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ImplementationType == typeof(ConsoleLoggerProvider))
            {
                services.RemoveAt(i);
            }
        }

        var provider = new CapturingLoggerProvider();
        logging.AddProvider(provider);
        return provider;
    }
}
