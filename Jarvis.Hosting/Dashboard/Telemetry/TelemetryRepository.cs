using Microsoft.Extensions.Options;

namespace Jarvis.Hosting.Dashboard.Telemetry;

/// <summary>
/// The dashboard's telemetry: what the OTLP receiver took in, bounded by <see cref="TelemetryLimitsOptions"/> (oldest
/// first, traces whole), and the queries the dashboard's pages make. Thread-safe. With SQLite storage every ingest is
/// also written to the archive, and the archive is read back on start, so telemetry survives a restart of the app host.
/// </summary>
public sealed partial class TelemetryRepository : IDisposable
{
    private readonly Lock _lock = new();
    private readonly TelemetryLimitsOptions _limits;
    private readonly TimeProvider _timeProvider;
    private readonly SqliteTelemetryArchive? _archive;
    private long _version;

    internal TelemetryRepository(IOptions<TelemetryLimitsOptions> limits, TimeProvider timeProvider, SqliteTelemetryArchive? archive = null)
    {
        _limits = limits.Value;
        _timeProvider = timeProvider;
        _archive = archive;
        _logs = new RingBuffer<StoredLog>(_limits.MaxLogCount);
        if (archive is not null)
        {
            Restore(archive);
        }
    }

    /// <summary>Increments on every ingest, so a page can poll cheaply and query only when it changed.</summary>
    public long Version => Interlocked.Read(ref _version);

    internal TelemetryLimitsOptions Limits => _limits;

    /// <summary>Stores what one OTLP request brought, evicting the oldest telemetry beyond the limits.</summary>
    internal void Ingest(TelemetryBatch batch)
    {
        var accepted = new TelemetryBatch();
        var evicted = new TelemetryEvictions();
        lock (_lock)
        {
            Add(batch, accepted, evicted);
            _archive?.Save(accepted, evicted);
            Interlocked.Increment(ref _version);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _archive?.Dispose();

    private void Add(TelemetryBatch batch, TelemetryBatch accepted, TelemetryEvictions evicted)
    {
        foreach (var log in batch.Logs)
        {
            accepted.Logs.Add(AddLog(log, evicted));
        }

        foreach (var span in batch.Spans)
        {
            if (AddSpan(span, evicted))
            {
                accepted.Spans.Add(span);
            }
        }

        foreach (var point in batch.Points)
        {
            accepted.Points.Add(AddPoint(point, evicted));
        }

        foreach (var resource in batch.Resources)
        {
            if (SetAttributes(resource))
            {
                accepted.Resources.Add(resource);
            }
        }
    }

    private void Restore(SqliteTelemetryArchive archive)
    {
        var evicted = new TelemetryEvictions();
        lock (_lock)
        {
            // The archive holds what fitted the limits of the last run; smaller limits now evict, from the archive too.
            Add(archive.Load(), new TelemetryBatch(), evicted);
            if (!evicted.IsEmpty)
            {
                archive.Save(new TelemetryBatch(), evicted);
            }
        }
    }
}
