using System.Diagnostics.Metrics;

namespace Jarvis.ServiceDefaults.Resilience;

/// <summary>
/// Counts resilience events (retries, timeouts, circuit state changes) under Polly's own instrument name and tags, so
/// dashboards built for Polly's telemetry work unchanged.
/// </summary>
internal sealed class ResilienceMetrics
{
    public const string MeterName = "Jarvis.Resilience";

    private readonly Counter<long> _events;

    public ResilienceMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _events = meter.CreateCounter<long>(
            "resilience.polly.strategy.events",
            unit: "{event}",
            description: "Resilience events: retries, timeouts and circuit breaker state changes.");
    }

    public void Record(string eventName, string severity, string clientName, string strategy) =>
        _events.Add(1, [
            new("event.name", eventName),
            new("event.severity", severity),
            new("pipeline.name", clientName),
            new("strategy.name", strategy),
        ]);
}
