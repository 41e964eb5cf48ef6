namespace Jarvis.Hosting.Dashboard.Telemetry;

/// <summary>What an ingest pushed out of the limits, so the SQLite archive can delete it too.</summary>
internal sealed class TelemetryEvictions
{
    public List<long> LogIds { get; } = [];

    public List<string> TraceIds { get; } = [];

    public List<long> PointIds { get; } = [];

    public bool IsEmpty => LogIds.Count == 0 && TraceIds.Count == 0 && PointIds.Count == 0;
}
