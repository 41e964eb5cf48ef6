namespace Jarvis.Hosting.Dashboard.Telemetry;

/// <summary>What identifies the sender of telemetry: <c>service.name</c> and <c>service.instance.id</c>.</summary>
internal sealed record ResourceKey(string ServiceName, string InstanceId);

/// <summary>A sender's resource attributes, as last received.</summary>
internal sealed record StoredResource(ResourceKey Key, IReadOnlyList<Attribute> Attributes);

/// <summary>A log record; its entry's resource name is given at query time, when the instances of a name are known.</summary>
internal sealed record StoredLog(ResourceKey Resource, LogEntry Entry);

/// <summary>A span; its entry's resource name and depth are given at query time.</summary>
internal sealed record StoredSpan(ResourceKey Resource, SpanEntry Span);

/// <summary>A bucket of a histogram, explicit or exponential: values in (Lower, Upper].</summary>
internal sealed record HistogramBucket(double Lower, double Upper, long Count);

/// <summary>A quantile of a summary data point.</summary>
internal sealed record QuantileValue(double Quantile, double Value);

/// <summary>
/// A metric data point with its instrument's description, so that each point can be stored and replayed on its own.
/// Histogram points keep their buckets as sent (cumulative or delta); percentiles are computed at query time.
/// </summary>
internal sealed record StoredPoint(
    long Id,
    ResourceKey Resource,
    string Meter,
    string Name,
    string? Description,
    string? Unit,
    string Type,
    IReadOnlyList<Attribute> Dimensions,
    DateTimeOffset Start,
    DateTimeOffset Time,
    bool Cumulative,
    double? Value,
    long? Count,
    double? Sum,
    IReadOnlyList<HistogramBucket>? Buckets,
    IReadOnlyList<QuantileValue>? Quantiles);

/// <summary>What one OTLP request brought, converted; stored in one step.</summary>
internal sealed class TelemetryBatch
{
    public List<StoredResource> Resources { get; } = [];

    public List<StoredLog> Logs { get; } = [];

    public List<StoredSpan> Spans { get; } = [];

    public List<StoredPoint> Points { get; } = [];

    public bool IsEmpty => Resources.Count == 0 && Logs.Count == 0 && Spans.Count == 0 && Points.Count == 0;
}
