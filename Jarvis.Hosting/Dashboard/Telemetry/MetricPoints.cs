namespace Jarvis.Hosting.Dashboard.Telemetry;

/// <summary>Turns the stored points of one series into what the dashboard plots.</summary>
internal static class MetricPoints
{
    public static IEnumerable<MetricPoint> Compute(IEnumerable<StoredPoint> series)
    {
        StoredPoint? previous = null;
        foreach (var point in series)
        {
            yield return point.Type switch
            {
                "Histogram" or "ExponentialHistogram" => Histogram(point, previous),
                "Summary" => new MetricPoint(point.Time, null, point.Count, point.Sum, Quantile(point, 0.5), Quantile(point, 0.95), Quantile(point, 0.99)),
                _ => new MetricPoint(point.Time, point.Value, null, null, null, null, null),
            };
            previous = point;
        }
    }

    /// <summary>
    /// The percentiles of a histogram point's own interval, interpolated linearly inside the bucket the rank falls in, as
    /// Prometheus' histogram_quantile does. A cumulative point is first reduced by the series' previous point, unless
    /// the series restarted (another start time) or its buckets changed in a way that cannot be subtracted.
    /// </summary>
    internal static MetricPoint Histogram(StoredPoint point, StoredPoint? previous)
    {
        var buckets = point.Buckets ?? [];
        var (count, sum) = (point.Count, point.Sum);
        if (point.Cumulative && previous is { Buckets: not null } && previous.Start == point.Start && Subtract(buckets, previous) is { } delta)
        {
            (buckets, count, sum) = (delta, count - previous.Count, sum - previous.Sum);
        }

        return new MetricPoint(point.Time, null, count, sum, Percentile(buckets, 0.5), Percentile(buckets, 0.95), Percentile(buckets, 0.99));
    }

    internal static double? Percentile(IReadOnlyList<HistogramBucket> buckets, double quantile)
    {
        var total = buckets.Sum(b => b.Count);
        if (total == 0)
        {
            return null;
        }

        var rank = quantile * total;
        long below = 0;
        for (var i = 0; i < buckets.Count; i++)
        {
            var bucket = buckets[i];
            if (below + bucket.Count < rank || bucket.Count == 0)
            {
                below += bucket.Count;
                continue;
            }

            // As Prometheus: the +Inf bucket answers with the highest finite bound, and an open first bucket starts at 0.
            if (double.IsPositiveInfinity(bucket.Upper))
            {
                return bucket.Lower;
            }

            var lower = bucket.Lower;
            if (double.IsNegativeInfinity(lower))
            {
                if (bucket.Upper <= 0)
                {
                    return bucket.Upper;
                }

                lower = 0;
            }

            return lower + ((bucket.Upper - lower) * (rank - below) / bucket.Count);
        }

        return buckets[^1].Upper;
    }

    /// <summary>The buckets less the previous point's; null when some of its counts cannot be matched to a bucket.</summary>
    private static List<HistogramBucket>? Subtract(IReadOnlyList<HistogramBucket> buckets, StoredPoint previous)
    {
        var before = previous.Buckets!.Where(b => b.Count > 0).ToDictionary(b => (b.Lower, b.Upper), b => b.Count);
        var delta = new List<HistogramBucket>(buckets.Count);
        foreach (var bucket in buckets)
        {
            var earlier = before.Remove((bucket.Lower, bucket.Upper), out var count) ? count : 0;
            if (earlier > bucket.Count)
            {
                return null;
            }

            delta.Add(bucket with { Count = bucket.Count - earlier });
        }

        return before.Count == 0 ? delta : null;
    }

    private static double? Quantile(StoredPoint point, double quantile) =>
        point.Quantiles?.FirstOrDefault(q => Math.Abs(q.Quantile - quantile) < 1e-9)?.Value;
}
