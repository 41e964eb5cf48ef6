namespace Jarvis.Hosting.Dashboard.Telemetry;

public sealed partial class TelemetryRepository
{
    private static readonly string[] Levels = ["Trace", "Debug", "Information", "Warning", "Error", "Critical"];

    private readonly RingBuffer<StoredLog> _logs;
    private long _lastLogId;

    /// <summary>The log records that match the query, newest (by timestamp, then by arrival) first.</summary>
    public IReadOnlyList<LogEntry> GetLogs(LogQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var minLevel = query.MinLevel is null ? 0 : Math.Max(0, Array.FindIndex(Levels, l => l.Equals(query.MinLevel, StringComparison.OrdinalIgnoreCase)));
        var found = new List<StoredLog>();
        lock (_lock)
        {
            for (var age = 0; age < _logs.Count; age++)
            {
                var log = _logs[age];
                if (Matches(log.Resource, query.Resource)
                    && Array.IndexOf(Levels, log.Entry.Level) >= minLevel
                    && (query.TraceId is null || string.Equals(log.Entry.TraceId, query.TraceId, StringComparison.OrdinalIgnoreCase))
                    && (query.Text is null || Contains(log.Entry, query.Text)))
                {
                    found.Add(log);
                }
            }

            // Services export in batches, each on its own schedule: arrival order is not time order.
            return [.. found
                .OrderByDescending(l => l.Entry.Timestamp).ThenByDescending(l => l.Entry.Id)
                .Take(query.Limit)
                .Select(l => l.Entry with { Resource = Name(l.Resource) })];
        }
    }

    private static bool Contains(LogEntry entry, string text) =>
        entry.Message.Contains(text, StringComparison.OrdinalIgnoreCase)
        || entry.Attributes.Any(a => a.Value.Contains(text, StringComparison.OrdinalIgnoreCase));

    /// <summary>Keeps a record, numbered unless it comes numbered from the archive; the oldest goes beyond the limit.</summary>
    private StoredLog AddLog(StoredLog log, TelemetryEvictions evicted)
    {
        if (log.Entry.Id == 0)
        {
            log = log with { Entry = log.Entry with { Id = ++_lastLogId } };
        }
        else
        {
            _lastLogId = Math.Max(_lastLogId, log.Entry.Id);
        }

        Retain(log.Resource);
        if (_logs.Add(log, out var old))
        {
            Release(old!.Resource);
            evicted.LogIds.Add(old.Entry.Id);
        }

        return log;
    }
}
