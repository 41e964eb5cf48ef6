using System.Data.Common;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Jarvis.Hosting.Ollama;

namespace Jarvis.Hosting.Orchestration;

public sealed partial class Orchestrator
{
    /// <summary>
    /// An Ollama model: once its server is healthy, pulls the model if the server lacks it, showing the progress as the
    /// resource's state, then is healthy for as long as the server lists the model.
    /// </summary>
    private void StartModel(ResourceRun run, OllamaModelResource modelResource, CancellationToken cancellationToken)
    {
        run.Exited = Task.Run(async () =>
        {
            var name = modelResource.Name;
            try
            {
                notifications.PublishUpdate(name, s => s with { State = KnownResourceStates.Waiting });
                await notifications.WaitForResourceHealthyAsync(modelResource.Parent.Name, cancellationToken);

                var connectionString = await modelResource.Parent.ConnectionStringExpression.GetValueAsync(cancellationToken);
                var server = new DbConnectionStringBuilder { ConnectionString = connectionString };
                var endpoint = new Uri(server.TryGetValue("Endpoint", out var value) ? value.ToString()! : connectionString!);
                // A pull takes as long as it takes; a health probe must answer promptly.
                var pullClient = httpClientFactory.CreateClient(nameof(OllamaModelResource));
                pullClient.BaseAddress = endpoint;
                pullClient.Timeout = Timeout.InfiniteTimeSpan;
                var probeClient = httpClientFactory.CreateClient(nameof(OllamaModelResource));
                probeClient.BaseAddress = endpoint;
                probeClient.Timeout = TimeSpan.FromSeconds(5);

                // The server's address without user info: a configured connection string may carry credentials.
                var url = $"{endpoint.Scheme}://{endpoint.Host}:{endpoint.Port}";
                notifications.PublishUpdate(name, s => s with { State = $"Checking {modelResource.ModelName}", Urls = [url] });
                if (await MissingModelAsync(probeClient, modelResource.ModelName, cancellationToken) is not null)
                {
                    await PullAsync(pullClient, modelResource, cancellationToken);
                }

                cancellationToken.ThrowIfCancellationRequested();
                notifications.PublishUpdate(name, s => s with { State = KnownResourceStates.Running, StartedAt = timeProvider.GetUtcNow() });
                await health.MonitorAsync(name, token => MissingModelAsync(probeClient, modelResource.ModelName, token), cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                notifications.PublishUpdate(name, s => s with { State = KnownResourceStates.FailedToStart, StateReason = e.Message });
                logs.Write(name, $"Cannot provide {modelResource.ModelName}: {e.Message}", isError: true);
            }
        }, CancellationToken.None);
    }

    /// <summary>Null when the server lists the model (a name without a tag means <c>:latest</c>), else why not.</summary>
    private static async Task<string?> MissingModelAsync(HttpClient client, string model, CancellationToken cancellationToken)
    {
        try
        {
            using var tags = await client.GetFromJsonAsync<JsonDocument>("api/tags", cancellationToken);
            var wanted = model.Contains(':', StringComparison.Ordinal) ? model : $"{model}:latest";
            var present = tags!.RootElement.GetProperty("models").EnumerateArray()
                .Any(m => string.Equals(m.GetProperty("name").GetString(), wanted, StringComparison.OrdinalIgnoreCase));
            return present ? null : $"the server does not have {model}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            return $"GET /api/tags failed: {e.Message}";
        }
    }

    /// <summary>POST /api/pull with streaming progress: NDJSON lines until <c>{"status":"success"}</c> or an error.</summary>
    private async Task PullAsync(HttpClient client, OllamaModelResource modelResource, CancellationToken cancellationToken)
    {
        var name = modelResource.Name;
        logs.Write(name, $"Pulling {modelResource.ModelName}.");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/pull") { Content = JsonContent.Create(new { model = modelResource.ModelName, stream = true }) };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new DistributedApplicationException($"Pulling {modelResource.ModelName} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        var lastPercent = -1;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            using var progress = JsonDocument.Parse(line);
            var root = progress.RootElement;
            if (root.TryGetProperty("error", out var error))
            {
                throw new DistributedApplicationException($"Pulling {modelResource.ModelName} failed: {error.GetString()}");
            }

            var status = root.GetProperty("status").GetString();
            if (status == "success")
            {
                logs.Write(name, $"Pulled {modelResource.ModelName}.");
                return;
            }

            if (root.TryGetProperty("total", out var total) && total.GetInt64() > 0 && root.TryGetProperty("completed", out var completed))
            {
                var percent = (int)(completed.GetInt64() * 100 / total.GetInt64());
                if (percent != lastPercent && !cancellationToken.IsCancellationRequested)
                {
                    lastPercent = percent;
                    notifications.PublishUpdate(name, s => s with { State = string.Create(CultureInfo.InvariantCulture, $"Downloading {percent}%") });
                }
            }
        }

        throw new DistributedApplicationException($"Pulling {modelResource.ModelName} ended without success.");
    }
}
