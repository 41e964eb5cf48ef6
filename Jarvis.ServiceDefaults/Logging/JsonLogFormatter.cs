using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Jarvis.ServiceDefaults.Logging;

/// <summary>
/// One JSON object per line: <c>ts</c>, <c>lvl</c>, <c>logger</c>, <c>msg</c>, <c>component</c>, every state and scope
/// value (request_id, method, path, status_code, latency_ms, client_ip…), the trace context and the exception.
/// </summary>
internal sealed class JsonLogFormatter(IOptionsMonitor<JarvisConsoleFormatterOptions> options, TimeProvider timeProvider)
    : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "jarvis-json";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        var fields = LogRecordFields.Collect(logEntry.State, scopeProvider);

        // The whole line is serialised first so concurrent records never interleave on the console.
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("ts", timeProvider.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            writer.WriteString("lvl", LogRecordFields.LevelName(logEntry.LogLevel));
            writer.WriteString("logger", logEntry.Category);
            writer.WriteString("msg", message);

            if (options.CurrentValue.Component is { } component && !fields.Exists(f => f.Key == "component"))
            {
                writer.WriteString("component", component);
            }

            foreach (var (key, value) in fields)
            {
                writer.WritePropertyName(key);
                WriteValue(writer, value);
            }

            if (logEntry.EventId.Id != 0)
            {
                writer.WriteNumber("event_id", logEntry.EventId.Id);
            }

            if (Activity.Current is { } activity)
            {
                writer.WriteString("trace_id", activity.TraceId.ToHexString());
                writer.WriteString("span_id", activity.SpanId.ToHexString());
            }

            if (logEntry.Exception is { } exception)
            {
                writer.WriteString("exception", exception.ToString());
            }

            writer.WriteEndObject();
        }

        textWriter.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        textWriter.Write('\n');
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int or long or short or byte or uint or ulong or ushort or sbyte:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case double d when double.IsFinite(d):
                writer.WriteNumberValue(Math.Round(d, 3));
                break;
            case float f when float.IsFinite(f):
                writer.WriteNumberValue(Math.Round(f, 3));
                break;
            case decimal m:
                writer.WriteNumberValue(m);
                break;
            case DateTime or DateTimeOffset:
                writer.WriteStringValue(((IFormattable)value).ToString("O", CultureInfo.InvariantCulture));
                break;
            case IFormattable formattable:
                writer.WriteStringValue(formattable.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                writer.WriteStringValue(value.ToString());
                break;
        }
    }
}
