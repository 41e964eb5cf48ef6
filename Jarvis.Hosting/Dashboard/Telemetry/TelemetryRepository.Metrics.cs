namespace Jarvis.Hosting.Dashboard.Telemetry;

public sealed partial class TelemetryRepository
{
    private readonly Dictionary<InstrumentKey, InstrumentData> _instruments = [];

    // One entry per point kept, in arrival order: the first names the series whose oldest point goes next.
    private readonly Queue<SeriesData> _pointOrder = new();
    private long _lastPointId;

    /// <summary>The instruments of a resource (or service name), or of all resources when null; by resource, meter and name.</summary>
    public IReadOnlyList<InstrumentSummary> GetInstruments(string? resource)
    {
        lock (_lock)
        {
            return [.. _instruments.Values
                .Where(i => Matches(i.Key.Resource, resource))
                .Select(Summarize)
                .OrderBy(i => i.Resource, StringComparer.Ordinal).ThenBy(i => i.Meter, StringComparer.Ordinal).ThenBy(i => i.Name, StringComparer.Ordinal)];
        }
    }

    /// <summary>
    /// An instrument's series whose dimensions include all the given ones, with their points of the last
    /// <paramref name="window"/> (all kept points when null); null when no such instrument is kept.
    /// </summary>
    public InstrumentDetail? GetInstrument(string resource, string meterName, string instrumentName, IReadOnlyDictionary<string, string>? dimensions, TimeSpan? window)
    {
        var since = window is { } span ? _timeProvider.GetUtcNow() - span : DateTimeOffset.MinValue;
        lock (_lock)
        {
            var instrument = _instruments.Values.FirstOrDefault(i => i.Key.Meter == meterName && i.Key.Name == instrumentName && Name(i.Key.Resource) == resource)
                ?? _instruments.Values.FirstOrDefault(i => i.Key.Meter == meterName && i.Key.Name == instrumentName && Matches(i.Key.Resource, resource));
            if (instrument is null)
            {
                return null;
            }

            var series = instrument.Series.Values
                .Where(s => dimensions is null || dimensions.All(d => s.Dimensions.Any(a => a.Key == d.Key && a.Value == d.Value)))
                .Select(s => new MetricSeries(s.Dimensions, [.. MetricPoints.Compute(s.Points).Where(p => p.Time >= since)]))
                .ToList();
            return new InstrumentDetail(Summarize(instrument), series);
        }
    }

    private InstrumentSummary Summarize(InstrumentData instrument) =>
        new(Name(instrument.Key.Resource), instrument.Key.Meter, instrument.Key.Name, instrument.Description, instrument.Unit, instrument.Type, [.. instrument.DimensionKeys]);

    /// <summary>Keeps a point, numbered unless it comes numbered from the archive; the oldest point goes beyond the limit.</summary>
    private StoredPoint AddPoint(StoredPoint point, TelemetryEvictions evicted)
    {
        point = point.Id == 0 ? point with { Id = ++_lastPointId } : point;
        _lastPointId = Math.Max(_lastPointId, point.Id);

        var key = new InstrumentKey(point.Resource, point.Meter, point.Name);
        if (!_instruments.TryGetValue(key, out var instrument))
        {
            _instruments[key] = instrument = new InstrumentData(key);
        }

        (instrument.Description, instrument.Unit, instrument.Type) = (point.Description, point.Unit, point.Type);
        var seriesKey = SeriesData.KeyOf(point.Dimensions);
        if (!instrument.Series.TryGetValue(seriesKey, out var series))
        {
            instrument.Series[seriesKey] = series = new SeriesData(instrument, seriesKey, point.Dimensions);
            instrument.DimensionKeys.UnionWith(point.Dimensions.Select(d => d.Key));
        }

        series.Points.Enqueue(point);
        _pointOrder.Enqueue(series);
        Retain(point.Resource);
        if (_pointOrder.Count > _limits.MaxMetricsCount)
        {
            EvictOldestPoint(evicted);
        }

        return point;
    }

    private void EvictOldestPoint(TelemetryEvictions evicted)
    {
        var series = _pointOrder.Dequeue();
        var oldest = series.Points.Dequeue();
        evicted.PointIds.Add(oldest.Id);
        Release(oldest.Resource);
        if (series.Points.Count == 0)
        {
            series.Instrument.Series.Remove(series.Key);
            if (series.Instrument.Series.Count == 0)
            {
                _instruments.Remove(series.Instrument.Key);
            }
        }
    }
}
