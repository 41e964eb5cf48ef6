using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Jarvis.ServiceDefaults.Health;

/// <summary>
/// Runs a check under a timeout. It stops waiting even for a check that ignores its cancellation token, so a hung
/// dependency makes the probe fail fast instead of hanging it.
/// </summary>
internal sealed class TimeoutHealthCheck(IHealthCheck inner, TimeSpan timeout) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            return await inner.CheckHealthAsync(context, timeoutSource.Token).WaitAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Timed out after {timeout.TotalSeconds:0.###} s.");
        }
    }
}
