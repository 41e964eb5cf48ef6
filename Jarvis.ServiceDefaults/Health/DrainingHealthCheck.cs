using Jarvis.ServiceDefaults.Shutdown;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Jarvis.ServiceDefaults.Health;

/// <summary>Unhealthy from the moment the host begins to stop, so load balancers stop routing new work here.</summary>
internal sealed class DrainingHealthCheck(DrainState drainState) : IHealthCheck
{
    public const string Name = "draining";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(drainState.IsDraining
            ? HealthCheckResult.Unhealthy("draining: the service is shutting down")
            : HealthCheckResult.Healthy("accepting work"));
}
