using Jarvis.Hosting.Dashboard.Otlp.Proto.Collector;
using Jarvis.Hosting.Dashboard.Otlp.Proto.Logs;
using Jarvis.Hosting.Dashboard.Telemetry;

namespace Jarvis.Hosting.Dashboard.Otlp;

/// <summary>Turns an OTLP logs export into stored log records.</summary>
internal static class OtlpLogConverter
{
    /// <summary>Adds the request's records to the batch; returns how many were rejected (trace or span ids of the wrong length).</summary>
    public static int Convert(ExportLogsServiceRequest request, OtlpAttributes attributes, TelemetryBatch batch)
    {
        var rejected = 0;
        foreach (var resourceLogs in request.ResourceLogs)
        {
            var resource = OtlpAttributes.KeyOf(resourceLogs.Resource?.Attributes);
            batch.Resources.Add(new StoredResource(resource, attributes.Convert(resourceLogs.Resource?.Attributes)));
            foreach (var scopeLogs in resourceLogs.ScopeLogs)
            {
                var category = string.IsNullOrEmpty(scopeLogs.Scope?.Name) ? null : scopeLogs.Scope.Name;
                foreach (var record in scopeLogs.LogRecords)
                {
                    if (record.TraceId.Length is not (0 or 16) || record.SpanId.Length is not (0 or 8))
                    {
                        rejected++;
                        continue;
                    }

                    batch.Logs.Add(new StoredLog(resource, new LogEntry(
                        Id: 0,
                        OtlpAttributes.Time(record.TimeUnixNano != 0 ? record.TimeUnixNano : record.ObservedTimeUnixNano),
                        Resource: "",
                        Level(record.SeverityNumber, record.SeverityText),
                        attributes.Render(record.Body),
                        OtlpAttributes.Hex(record.TraceId),
                        OtlpAttributes.Hex(record.SpanId),
                        category,
                        attributes.Convert(record.Attributes))));
                }
            }
        }

        return rejected;
    }

    /// <summary>The .NET level of an OTLP severity (1-4 trace … 21-24 fatal); the text decides when the number is unset.</summary>
    internal static string Level(SeverityNumber severity, string? text) => (int)severity switch
    {
        >= 21 => "Critical",
        >= 17 => "Error",
        >= 13 => "Warning",
        >= 9 => "Information",
        >= 5 => "Debug",
        >= 1 => "Trace",
        _ => text?.ToUpperInvariant() switch
        {
            "TRACE" => "Trace",
            "DEBUG" => "Debug",
            "WARN" or "WARNING" => "Warning",
            "ERROR" => "Error",
            "FATAL" or "CRITICAL" => "Critical",
            _ => "Information",
        },
    };
}
