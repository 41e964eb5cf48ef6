using System.Data.Common;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OllamaSharp;

namespace Jarvis.Hosting.Ollama;

/// <summary>Pulls a model onto its server unless the server has it, publishing the progress as the model's state.</summary>
internal static partial class OllamaModelDownloader
{
    /// <summary>Checks for the model, pulls it if missing, and ends Running, or with the error as the state.</summary>
    public static async Task DownloadAsync(OllamaModelResource model, IServiceProvider services, CancellationToken cancellationToken)
    {
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        var logger = services.GetRequiredService<ResourceLoggerService>().GetLogger(model);
        try
        {
            var endpoint = await EndpointAsync(model, cancellationToken).ConfigureAwait(false);
            using var client = new OllamaApiClient(endpoint);
            await DownloadAsync(model, client, notifications, logger, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogPullFailed(logger, e, model.ModelName);
            await notifications.PublishUpdateAsync(model, state => state with { State = new(e.Message, KnownResourceStateStyles.Error) }).ConfigureAwait(false);
        }
    }

    /// <summary>The pull itself, over any Ollama client.</summary>
    internal static async Task DownloadAsync(OllamaModelResource model, IOllamaApiClient client, ResourceNotificationService notifications, ILogger logger, CancellationToken cancellationToken)
    {
        var name = model.ModelName;
        await notifications.PublishUpdateAsync(model, state => state with { State = new($"Checking {name}", KnownResourceStateStyles.Info) }).ConfigureAwait(false);

        var local = await client.ListLocalModelsAsync(cancellationToken).ConfigureAwait(false);
        if (local.Any(m => Matches(m.Name, name)))
        {
            LogAlreadyPulled(logger, name);
        }
        else
        {
            LogPulling(logger, name);
            await notifications.PublishUpdateAsync(model, state => state with { State = new($"Downloading {name}", KnownResourceStateStyles.Info) }).ConfigureAwait(false);
            long percent = -1;
            await foreach (var status in client.PullModelAsync(name, cancellationToken).ConfigureAwait(false))
            {
                if (status is { Total: > 0 } && (long)(status.Completed * 100.0 / status.Total) is var now && now != percent)
                {
                    percent = now;
                    await notifications.PublishUpdateAsync(model, state => state with { State = new($"Downloading {name} {now} percent", KnownResourceStateStyles.Info) }).ConfigureAwait(false);
                }
            }

            LogPulled(logger, name);
        }

        await notifications.PublishUpdateAsync(model, state => state with { State = new(KnownResourceStates.Running, KnownResourceStateStyles.Success) }).ConfigureAwait(false);
    }

    /// <summary>The server URL from the model's connection string.</summary>
    internal static async Task<Uri> EndpointAsync(OllamaModelResource model, CancellationToken cancellationToken)
    {
        var connectionString = await model.ConnectionStringExpression.GetValueAsync(cancellationToken).ConfigureAwait(false);
        var parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return parts.TryGetValue("Endpoint", out var endpoint) && Uri.TryCreate(endpoint?.ToString(), UriKind.Absolute, out var uri)
            ? uri
            : throw new DistributedApplicationException($"The connection string of '{model.Name}' has no Endpoint URL.");
    }

    /// <summary>Ollama lists <c>nomic-embed-text:latest</c> for a model pulled as <c>nomic-embed-text</c>.</summary>
    private static bool Matches(string listed, string wanted) =>
        string.Equals(listed, wanted, StringComparison.OrdinalIgnoreCase)
        || (!wanted.Contains(':', StringComparison.Ordinal) && string.Equals(listed, wanted + ":latest", StringComparison.OrdinalIgnoreCase));

    [LoggerMessage(Level = LogLevel.Information, Message = "{Model} is already on the server")]
    private static partial void LogAlreadyPulled(ILogger logger, string model);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pulling {Model}")]
    private static partial void LogPulling(ILogger logger, string model);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pulled {Model}")]
    private static partial void LogPulled(ILogger logger, string model);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not pull {Model}")]
    private static partial void LogPullFailed(ILogger logger, Exception exception, string model);
}
