using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Jarvis.Api.Memory;

/// <summary>
/// Whether Jarvis.Memory answers its liveness endpoint. Degraded, not Unhealthy, when it does not: a turn still
/// succeeds without memory, so the Api stays ready.
/// </summary>
internal sealed class MemoryHealthCheck(MemoryClient memory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await memory.CheckAliveAsync(cancellationToken);
            return HealthCheckResult.Healthy("memory answers");
        }
        catch (MemoryUnavailableException e)
        {
            return HealthCheckResult.Degraded($"memory unavailable, turns go on without it: {e.Message}");
        }
    }
}
