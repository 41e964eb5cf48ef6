using Jarvis.Tests.Infrastructure.Otlp.Proto.Metrics;

namespace Jarvis.Tests.Infrastructure.Otlp;

/// <summary>
/// An instrument's data points from one export, or from all of them (<see cref="OtlpReceiver.Instrument"/>);
/// <see cref="Type"/> is the OTLP data case: Gauge, Sum, Histogram, ExponentialHistogram or Summary.
/// </summary>
public sealed record OtlpMetric(string Resource, string Meter, string Name, string Unit, string Type, IReadOnlyList<OtlpDataPoint> Points)
{
    internal static OtlpMetric From(Metric metric, string resource, string meter) =>
        new(resource, meter, metric.Name, metric.Unit, metric.DataCase.ToString(), [.. DataPoints(metric)]);

    private static IEnumerable<OtlpDataPoint> DataPoints(Metric metric) => metric.DataCase switch
    {
        Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints.Select(Number),
        Metric.DataOneofCase.Sum => metric.Sum.DataPoints.Select(Number),
        Metric.DataOneofCase.Histogram => metric.Histogram.DataPoints.Select(p => Counted(p.Attributes, p.Count, p.HasSum ? p.Sum : null)),
        Metric.DataOneofCase.ExponentialHistogram => metric.ExponentialHistogram.DataPoints.Select(p => Counted(p.Attributes, p.Count, p.HasSum ? p.Sum : null)),
        Metric.DataOneofCase.Summary => metric.Summary.DataPoints.Select(p => Counted(p.Attributes, p.Count, p.Sum)),
        _ => [],
    };

    private static OtlpDataPoint Number(NumberDataPoint point) => new(
        OtlpValues.Attributes(point.Attributes),
        point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble,
        Count: null,
        Sum: null);

    private static OtlpDataPoint Counted(IEnumerable<Proto.Common.KeyValue> attributes, ulong count, double? sum) =>
        new(OtlpValues.Attributes(attributes), Value: null, (long)count, sum);
}

/// <summary>One data point: a gauge's or sum's <see cref="Value"/>, or a histogram's or summary's count and sum.</summary>
public sealed record OtlpDataPoint(IReadOnlyDictionary<string, string> Attributes, double? Value, long? Count, double? Sum)
{
    public string? Attribute(string key) => Attributes.GetValueOrDefault(key);
}
