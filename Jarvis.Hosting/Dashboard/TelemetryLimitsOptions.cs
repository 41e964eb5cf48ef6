using System.ComponentModel.DataAnnotations;

namespace Jarvis.Hosting.Dashboard;

/// <summary>
/// How much telemetry the dashboard keeps, bound from <c>Dashboard:TelemetryLimits</c> (the defaults are Aspire's). When
/// a limit is reached the oldest item goes first; a trace goes whole.
/// </summary>
public sealed class TelemetryLimitsOptions
{
    /// <summary>Structured log records kept.</summary>
    [Range(1, 10_000_000)]
    public int MaxLogCount { get; set; } = 10_000;

    /// <summary>Traces kept, each with all its spans.</summary>
    [Range(1, 10_000_000)]
    public int MaxTraceCount { get; set; } = 10_000;

    /// <summary>Metric data points kept, over all instruments and series.</summary>
    [Range(1, 100_000_000)]
    public int MaxMetricsCount { get; set; } = 50_000;

    /// <summary>Attributes kept per log record, span, span event or data point; the rest are dropped.</summary>
    [Range(0, 100_000)]
    public int MaxAttributeCount { get; set; } = 128;

    /// <summary>Characters kept of an attribute value (and of a log message); unlimited when unset, as in Aspire.</summary>
    [Range(1, int.MaxValue)]
    public int? MaxAttributeLength { get; set; }
}
