using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Jarvis.Tests.Infrastructure;

/// <summary>
/// Collects the measurements of one meter of one host (tests run in parallel, each host with its own meters): every
/// long and double measurement, with its instrument's name and its tags.
/// </summary>
public sealed class MeasurementCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<CollectedMeasurement> _measurements = [];

    public MeasurementCollector(IServiceProvider services, string meterName)
    {
        var scope = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName && instrument.Meter.Scope == scope)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>What was measured so far, in order.</summary>
    public IReadOnlyList<CollectedMeasurement> Measurements
    {
        get
        {
            lock (_measurements)
            {
                return [.. _measurements];
            }
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var measurement = new CollectedMeasurement(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value));
        lock (_measurements)
        {
            _measurements.Add(measurement);
        }
    }
}

/// <summary>One measurement: the instrument, the value, the tags.</summary>
public sealed record CollectedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);
