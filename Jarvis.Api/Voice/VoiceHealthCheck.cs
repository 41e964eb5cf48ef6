using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Jarvis.Api.Voice;

/// <summary>Whether Jarvis.Voice answers. Degraded, not Unhealthy, when it does not: text chat needs no voice.</summary>
internal sealed class VoiceHealthCheck(VoiceClient voice) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await voice.CheckAliveAsync(cancellationToken) is { } problem
            ? HealthCheckResult.Degraded($"voice unavailable, text chat goes on without it: {problem}")
            : HealthCheckResult.Healthy("voice answers");
}
