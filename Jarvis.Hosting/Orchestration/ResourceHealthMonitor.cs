using Jarvis.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Jarvis.Hosting.Orchestration;

/// <summary>
/// Checks a running resource's health: every <c>WithHttpHealthCheck</c> path must answer 2xx. A healthy resource is
/// checked again every 30 s; an unhealthy one after 100 ms, doubling up to 5 s. A resource without checks is healthy
/// once it runs (the orchestrator gives a process a moment first, so one that crashes at start never counts).
/// </summary>
public sealed class ResourceHealthMonitor(
    IHttpClientFactory httpClientFactory,
    ResourceNotificationService notifications,
    IOptions<OrchestratorOptions> options,
    TimeProvider timeProvider)
{
    private static readonly TimeSpan s_firstRetry = TimeSpan.FromMilliseconds(100);

    /// <summary>Checks until <paramref name="cancellationToken"/> is cancelled (the resource stops).</summary>
    public Task MonitorAsync(Resource resource, CancellationToken cancellationToken) =>
        MonitorReportsAsync(resource.Name, resource.HealthChecks.Count == 0 ? null : token => CheckHttpAsync(resource, token), cancellationToken);

    /// <summary>Checks with a custom probe (an Ollama model's presence) that returns why it is unhealthy, or null.</summary>
    public Task MonitorAsync(string resourceName, Func<CancellationToken, Task<string?>> probe, CancellationToken cancellationToken) =>
        MonitorReportsAsync(resourceName, async token => [Report("model", await probe(token), "the server lists the model")], cancellationToken);

    /// <summary>Checks until cancelled; a null probe means always healthy.</summary>
    private async Task MonitorReportsAsync(string resourceName, Func<CancellationToken, Task<HealthReportSnapshot[]>>? probe, CancellationToken cancellationToken)
    {
        if (probe is null)
        {
            notifications.PublishUpdate(resourceName, s => s with { HealthStatus = HealthStatus.Healthy, HealthReports = [] });
            return;
        }

        var retry = s_firstRetry;
        while (!cancellationToken.IsCancellationRequested)
        {
            HealthReportSnapshot[] reports;
            try
            {
                reports = await probe(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A probe that breaks is an unhealthy answer, not the end of health checking.
                reports = [Report("probe", e.Message, "")];
            }

            var status = reports.All(r => r.Status == HealthStatus.Healthy) ? HealthStatus.Healthy : HealthStatus.Unhealthy;
            notifications.PublishUpdate(resourceName, s => s.State == KnownResourceStates.Running ? s with { HealthStatus = status, HealthReports = reports } : s);

            var delay = status == HealthStatus.Healthy ? options.Value.HealthyCheckInterval : retry;
            retry = status == HealthStatus.Healthy ? s_firstRetry : TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, options.Value.UnhealthyCheckMaxInterval.Ticks));
            try
            {
                await Task.Delay(delay, timeProvider, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<HealthReportSnapshot[]> CheckHttpAsync(Resource resource, CancellationToken cancellationToken)
    {
        var client = httpClientFactory.CreateClient(nameof(ResourceHealthMonitor));
        client.Timeout = TimeSpan.FromSeconds(5);
        var reports = new List<HealthReportSnapshot>();
        foreach (var check in resource.HealthChecks)
        {
            var name = $"{check.EndpointName} {check.Path}";
            var endpoint = new EndpointReference(resource, check.EndpointName).Endpoint.Allocated;
            if (endpoint is null)
            {
                reports.Add(Report(name, $"endpoint '{check.EndpointName}' is not allocated", ""));
                continue;
            }

            try
            {
                using var response = await client.GetAsync(new Uri(new Uri(endpoint.Url), check.Path), cancellationToken);
                var answer = $"GET {check.Path} answered {(int)response.StatusCode}";
                reports.Add(Report(name, response.IsSuccessStatusCode ? null : answer, answer));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                reports.Add(Report(name, $"GET {check.Path} failed: {e.Message}", ""));
            }
        }

        return [.. reports];
    }

    private static HealthReportSnapshot Report(string name, string? problem, string healthyDescription) =>
        new(name, problem is null ? HealthStatus.Healthy : HealthStatus.Unhealthy, problem ?? healthyDescription);
}
