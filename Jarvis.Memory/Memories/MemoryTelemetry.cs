using System.Diagnostics;
using System.Diagnostics.Metrics;
using Jarvis.Memory.Storage;

namespace Jarvis.Memory.Memories;

/// <summary>
/// Spans for store and search (source <c>Jarvis.Memory</c>, <c>db.system</c> the backend), histograms
/// <c>memory_store_seconds</c> and <c>memory_search_seconds</c>, and the gauge <c>memories_total</c>.
/// </summary>
public sealed class MemoryTelemetry
{
    /// <summary>The name of the activity source and the meter.</summary>
    public const string Name = "Jarvis.Memory";

    private static readonly ActivitySource s_source = new(Name);

    private readonly Histogram<double> _storeSeconds;
    private readonly Histogram<double> _searchSeconds;
    private long _total;

    /// <summary>Creates the instruments.</summary>
    public MemoryTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(Name);
        _storeSeconds = meter.CreateHistogram<double>("memory_store_seconds", "s", "Time to embed and durably store a memory.");
        _searchSeconds = meter.CreateHistogram<double>("memory_search_seconds", "s", "Time to embed a query, search and rank.");
        meter.CreateObservableGauge("memories_total", () => Interlocked.Read(ref _total), "{memory}", "Memories held, across users and embedders.");
    }

    /// <summary>Starts a span for a memory operation.</summary>
    public Activity? StartActivity(string operation, string backend, EmbedderDescriptor embedder)
    {
        var activity = s_source.StartActivity($"memory.{operation}");
        activity?.SetTag("db.system", backend);
        activity?.SetTag("db.operation.name", operation);
        activity?.SetTag("jarvis.memory.embedder", embedder?.Id);
        return activity;
    }

    /// <summary>Records a store's duration.</summary>
    public void RecordStore(TimeSpan duration, string backend) => _storeSeconds.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("db.system", backend));

    /// <summary>Records a search's duration.</summary>
    public void RecordSearch(TimeSpan duration, string backend) => _searchSeconds.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("db.system", backend));

    /// <summary>Sets the gauge from the store's count (at start).</summary>
    public void SetTotal(long total) => Interlocked.Exchange(ref _total, total);

    /// <summary>One more memory.</summary>
    public void MemoryAdded() => Interlocked.Increment(ref _total);

    /// <summary>Memories deleted.</summary>
    public void MemoriesRemoved(long count) => Interlocked.Add(ref _total, -count);
}
