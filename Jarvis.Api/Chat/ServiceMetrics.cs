using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Jarvis.Api.Chat;

/// <summary>
/// How the services the Api depends on are doing: <c>service_health_status{service}</c> (1 healthy, 0.5 degraded,
/// 0 unhealthy, from the health checks <c>memory</c>, <c>llm</c> and <c>voice</c> as the health publisher runs them) and
/// <c>service_response_seconds{service}</c> (every call to memory, voice and the LLM).
/// </summary>
public sealed class ServiceMetrics : IHealthCheckPublisher
{
    private static readonly string[] s_services = ["memory", "llm", "voice"];
    private readonly ConcurrentDictionary<string, double> _health = new();
    private readonly Histogram<double> _responseSeconds;

    /// <summary>Creates the instruments.</summary>
    public ServiceMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create("Jarvis.Api");
        _responseSeconds = meter.CreateHistogram<double>("service_response_seconds", "s", "Time for a call to a service the Api depends on.");
        meter.CreateObservableGauge("service_health_status", () => _health.Select(h => new Measurement<double>(h.Value, new KeyValuePair<string, object?>("service", h.Key))),
            description: "1 healthy, 0.5 degraded, 0 unhealthy.");
    }

    /// <inheritdoc />
    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        foreach (var (name, entry) in report.Entries.Where(e => s_services.Contains(e.Key)))
        {
            _health[name] = entry.Status switch
            {
                HealthStatus.Healthy => 1,
                HealthStatus.Degraded => 0.5,
                _ => 0,
            };
        }

        return Task.CompletedTask;
    }

    /// <summary>A handler that times every call of an HTTP client to <paramref name="service"/>.</summary>
    public DelegatingHandler TimingHandler(string service) => new Timing(this, service);

    private sealed class Timing(ServiceMetrics metrics, string service) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var started = Stopwatch.GetTimestamp();
            var outcome = "error";
            try
            {
                var response = await base.SendAsync(request, cancellationToken);
                outcome = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return response;
            }
            finally
            {
                metrics._responseSeconds.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
                    new KeyValuePair<string, object?>("service", service), new KeyValuePair<string, object?>("outcome", outcome));
            }
        }
    }
}
