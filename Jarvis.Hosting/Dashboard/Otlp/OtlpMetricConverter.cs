using Google.Protobuf.Collections;
using Jarvis.Hosting.Dashboard.Otlp.Proto.Collector;
using Jarvis.Hosting.Dashboard.Otlp.Proto.Common;
using Jarvis.Hosting.Dashboard.Otlp.Proto.Metrics;
using Jarvis.Hosting.Dashboard.Telemetry;

namespace Jarvis.Hosting.Dashboard.Otlp;

/// <summary>Turns an OTLP metrics export into stored data points.</summary>
internal static class OtlpMetricConverter
{
    private const uint NoRecordedValue = (uint)DataPointFlags.NoRecordedValueMask;

    /// <summary>Adds the request's data points to the batch (points flagged as having no recorded value are skipped).</summary>
    public static void Convert(ExportMetricsServiceRequest request, OtlpAttributes attributes, TelemetryBatch batch)
    {
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            var resource = OtlpAttributes.KeyOf(resourceMetrics.Resource?.Attributes);
            batch.Resources.Add(new StoredResource(resource, attributes.Convert(resourceMetrics.Resource?.Attributes)));
            foreach (var scopeMetrics in resourceMetrics.ScopeMetrics)
            {
                foreach (var metric in scopeMetrics.Metrics)
                {
                    var template = new StoredPoint(0, resource, scopeMetrics.Scope?.Name ?? "", metric.Name, Empty(metric.Description), Empty(metric.Unit),
                        "", [], default, default, Cumulative: false, null, null, null, null, null);
                    AddPoints(metric, template, attributes, batch.Points);
                }
            }
        }
    }

    private static void AddPoints(Metric metric, StoredPoint template, OtlpAttributes attributes, List<StoredPoint> points)
    {
        StoredPoint Point(string type, RepeatedField<KeyValue> dimensions, ulong start, ulong time, bool cumulative) => template with
        {
            Type = type,
            Dimensions = attributes.Convert(dimensions),
            Start = OtlpAttributes.Time(start),
            Time = OtlpAttributes.Time(time),
            Cumulative = cumulative,
        };

        switch (metric.DataCase)
        {
            case Metric.DataOneofCase.Gauge:
                points.AddRange(metric.Gauge.DataPoints.Where(Recorded).Select(p => Point("Gauge", p.Attributes, p.StartTimeUnixNano, p.TimeUnixNano, false) with { Value = Number(p) }));
                break;
            case Metric.DataOneofCase.Sum:
                var type = metric.Sum.IsMonotonic ? "Counter" : "UpDownCounter";
                var cumulative = metric.Sum.AggregationTemporality == AggregationTemporality.Cumulative;
                points.AddRange(metric.Sum.DataPoints.Where(Recorded).Select(p => Point(type, p.Attributes, p.StartTimeUnixNano, p.TimeUnixNano, cumulative) with { Value = Number(p) }));
                break;
            case Metric.DataOneofCase.Histogram:
                var histogramCumulative = metric.Histogram.AggregationTemporality == AggregationTemporality.Cumulative;
                points.AddRange(metric.Histogram.DataPoints.Where(p => (p.Flags & NoRecordedValue) == 0).Select(p =>
                    Point("Histogram", p.Attributes, p.StartTimeUnixNano, p.TimeUnixNano, histogramCumulative) with
                    {
                        Count = (long)p.Count,
                        Sum = p.HasSum ? p.Sum : null,
                        Buckets = ExplicitBuckets(p),
                    }));
                break;
            case Metric.DataOneofCase.ExponentialHistogram:
                var exponentialCumulative = metric.ExponentialHistogram.AggregationTemporality == AggregationTemporality.Cumulative;
                points.AddRange(metric.ExponentialHistogram.DataPoints.Where(p => (p.Flags & NoRecordedValue) == 0).Select(p =>
                    Point("ExponentialHistogram", p.Attributes, p.StartTimeUnixNano, p.TimeUnixNano, exponentialCumulative) with
                    {
                        Count = (long)p.Count,
                        Sum = p.HasSum ? p.Sum : null,
                        Buckets = ExponentialBuckets(p),
                    }));
                break;
            case Metric.DataOneofCase.Summary:
                points.AddRange(metric.Summary.DataPoints.Where(p => (p.Flags & NoRecordedValue) == 0).Select(p =>
                    Point("Summary", p.Attributes, p.StartTimeUnixNano, p.TimeUnixNano, cumulative: true) with
                    {
                        Count = (long)p.Count,
                        Sum = p.Sum,
                        Quantiles = p.QuantileValues.Select(q => new QuantileValue(q.Quantile, q.Value)).ToArray(),
                    }));
                break;
        }
    }

    private static bool Recorded(NumberDataPoint point) => (point.Flags & NoRecordedValue) == 0;

    private static double Number(NumberDataPoint point) => point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble;

    private static string? Empty(string text) => text.Length == 0 ? null : text;

    /// <summary>Bucket i holds (bounds[i-1], bounds[i]]; the first starts at -∞ and the last ends at +∞.</summary>
    private static HistogramBucket[] ExplicitBuckets(HistogramDataPoint point)
    {
        var buckets = new HistogramBucket[point.BucketCounts.Count];
        for (var i = 0; i < buckets.Length; i++)
        {
            var lower = i == 0 ? double.NegativeInfinity : point.ExplicitBounds[i - 1];
            var upper = i < point.ExplicitBounds.Count ? point.ExplicitBounds[i] : double.PositiveInfinity;
            buckets[i] = new HistogramBucket(lower, upper, (long)point.BucketCounts[i]);
        }

        return buckets;
    }

    /// <summary>
    /// Positive bucket i holds (base^(offset+i), base^(offset+i+1)] with base = 2^(2^-scale), negative buckets the mirror
    /// image, and the zero bucket [-threshold, threshold]; listed from the lowest values up.
    /// </summary>
    private static List<HistogramBucket> ExponentialBuckets(ExponentialHistogramDataPoint point)
    {
        var logBase = Math.Pow(2, -point.Scale) * Math.Log(2);
        double Bound(int index) => Math.Exp(index * logBase);

        var buckets = new List<HistogramBucket>();
        var negative = point.Negative;
        for (var i = (negative?.BucketCounts.Count ?? 0) - 1; i >= 0; i--)
        {
            buckets.Add(new HistogramBucket(-Bound(negative!.Offset + i + 1), -Bound(negative.Offset + i), (long)negative.BucketCounts[i]));
        }

        if (point.ZeroCount > 0)
        {
            buckets.Add(new HistogramBucket(-point.ZeroThreshold, point.ZeroThreshold, (long)point.ZeroCount));
        }

        var positive = point.Positive;
        for (var i = 0; i < (positive?.BucketCounts.Count ?? 0); i++)
        {
            buckets.Add(new HistogramBucket(Bound(positive!.Offset + i), Bound(positive.Offset + i + 1), (long)positive.BucketCounts[i]));
        }

        return buckets;
    }
}
