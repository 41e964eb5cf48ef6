using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OllamaSharp;

namespace Jarvis.Hosting.Ollama;

/// <summary>Healthy once the server can show the model, that is once it is pulled.</summary>
internal sealed class OllamaModelHealthCheck(OllamaModelResource model) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var client = new OllamaApiClient(await OllamaModelDownloader.EndpointAsync(model, cancellationToken));
        await client.ShowModelAsync(model.ModelName, cancellationToken);
        return HealthCheckResult.Healthy();
    }
}
