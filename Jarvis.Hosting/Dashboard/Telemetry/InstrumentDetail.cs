namespace Jarvis.Hosting.Dashboard.Telemetry;

/// <summary>A metric instrument of a resource.</summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>Type</c>: Counter, UpDownCounter, Gauge, Histogram, ExponentialHistogram or Summary.</item>
/// <item><c>DimensionKeys</c>: The attribute keys seen on its data points, sorted.</item>
/// </list>
/// </remarks>
public sealed record InstrumentSummary(
    string Resource,
    string Meter,
    string Name,
    string? Description,
    string? Unit,
    string Type,
    IReadOnlyList<string> DimensionKeys);

/// <summary>
/// One data point. Counters, up-down counters and gauges have <see cref="Value"/> (a cumulative sum as sent, not a rate).
/// Histograms have the <see cref="Count"/>, <see cref="Sum"/> and percentiles of the point's own interval (for cumulative
/// temporality, the difference from the series' previous point); summaries have their count, sum and quantiles as sent.
/// </summary>
public sealed record MetricPoint(DateTimeOffset Time, double? Value, long? Count, double? Sum, double? P50, double? P95, double? P99);

/// <summary>The points of one combination of dimension values, oldest first.</summary>
public sealed record MetricSeries(IReadOnlyList<Attribute> Dimensions, IReadOnlyList<MetricPoint> Points);

/// <summary>An instrument with its series.</summary>
public sealed record InstrumentDetail(InstrumentSummary Instrument, IReadOnlyList<MetricSeries> Series);
