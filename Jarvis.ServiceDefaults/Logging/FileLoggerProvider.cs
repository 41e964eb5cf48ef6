using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Serilog;
using Serilog.Events;
using Serilog.Formatting;
using ILogger = Microsoft.Extensions.Logging.ILogger;

namespace Jarvis.ServiceDefaults.Logging;

/// <summary>
/// The same JSON lines as the console (<see cref="JsonLogFormatter"/>, already scrubbed by the
/// <see cref="ScrubbingLoggerFactory"/>), written to a file that Serilog's file sink rotates daily and prunes: the
/// rotation is the library's, the shape ours. Filtered like any provider, under the alias <c>File</c>
/// (<c>Logging:File:LogLevel:…</c>).
/// </summary>
[ProviderAlias("File")]
internal sealed class FileLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConsoleFormatter _formatter;
    private readonly Serilog.Core.Logger _file;
    private IExternalScopeProvider? _scopes;

    public FileLoggerProvider(string path, int retainedFiles, ConsoleFormatter formatter)
    {
        _formatter = formatter;
        _file = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            // A day over the sink's size limit (1 GB) goes on in a new file rather than stopping.
            .WriteTo.File(new LineFormatter(), path, rollingInterval: RollingInterval.Day, retainedFileCountLimit: retainedFiles, rollOnFileSizeLimit: true, shared: true)
            .CreateLogger();
    }

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() => _file.Dispose();

    private void Write<TState>(in LogEntry<TState> entry)
    {
        using var line = new StringWriter();
        _formatter.Write(entry, _scopes, line);
        _file.Write(new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Information, null, MessageTemplate.Empty,
            [new LogEventProperty(LineFormatter.Property, new ScalarValue(line.ToString()))]));
    }

    private sealed class FileLogger(FileLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter));
            }
        }
    }

    /// <summary>Writes the line the JSON formatter made, as it is.</summary>
    private sealed class LineFormatter : ITextFormatter
    {
        public const string Property = "Line";

        public void Format(LogEvent logEvent, TextWriter output)
        {
            if (logEvent.Properties.TryGetValue(Property, out var value) && value is ScalarValue { Value: string line })
            {
                output.Write(line);
            }
        }
    }
}
