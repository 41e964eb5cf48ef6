using Jarvis.Hosting.Dashboard.Telemetry;
using TelemetryAttribute = Jarvis.Hosting.Dashboard.Telemetry.Attribute;

namespace Jarvis.Tests.Infrastructure.Otlp;

/// <summary>Reading attributes of what the dashboard's repository returns.</summary>
public static class TelemetryExtensions
{
    public static string? Value(this IEnumerable<TelemetryAttribute> attributes, string key) =>
        attributes.FirstOrDefault(a => a.Key == key)?.Value;

    public static string? Attribute(this SpanEntry span, string key) => span.Attributes.Value(key);

    public static string? Attribute(this LogEntry log, string key) => log.Attributes.Value(key);

    /// <summary>Everything a sink would see of a record: message and every attribute.</summary>
    public static string AllText(this LogEntry log) => log.Message + " " + string.Join(" ", log.Attributes.Select(a => $"{a.Key}={a.Value}"));
}
