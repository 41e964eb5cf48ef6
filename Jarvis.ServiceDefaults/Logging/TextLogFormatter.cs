using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Jarvis.ServiceDefaults.Logging;

/// <summary>
/// One readable line per record for development: time, level, category, message and the record's fields
/// (<c>{request_id=… status_code=200}</c>); an exception follows on its own lines.
/// </summary>
internal sealed class TextLogFormatter(IOptionsMonitor<JarvisConsoleFormatterOptions> options, TimeProvider timeProvider)
    : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "jarvis-text";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var fields = LogRecordFields.Collect(logEntry.State, scopeProvider);
        var line = new StringBuilder(160);
        line.Append(timeProvider.GetLocalNow().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture))
            .Append(' ')
            .Append(LogRecordFields.LevelName(logEntry.LogLevel).PadRight(5))
            .Append(' ')
            .Append(logEntry.Category)
            .Append(": ")
            .Append(logEntry.Formatter(logEntry.State, logEntry.Exception));

        var component = options.CurrentValue.Component;
        if (fields.Count > 0 || component is not null)
        {
            line.Append(" {");
            var separator = "";
            if (component is not null && !fields.Exists(f => f.Key == "component"))
            {
                line.Append("component=").Append(component);
                separator = " ";
            }

            foreach (var (key, value) in fields)
            {
                line.Append(separator).Append(key).Append('=').Append(Format(value));
                separator = " ";
            }

            line.Append('}');
        }

        textWriter.Write(line.Append('\n').ToString());
        if (logEntry.Exception is { } exception)
        {
            textWriter.Write(exception.ToString());
            textWriter.Write('\n');
        }
    }

    private static string? Format(object? value) => value switch
    {
        null => "null",
        double d => d.ToString("0.###", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
