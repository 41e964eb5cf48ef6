using Jarvis.Memory.Embeddings;
using Jarvis.Memory.Memories;
using Jarvis.Memory.Storage;
using Jarvis.Memory.Storage.Embedded;
using Jarvis.Memory.Storage.Qdrant;
using Jarvis.ServiceDefaults.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Jarvis.Memory;

/// <summary>The memory service's parts: the store, the embedder, the ranking and the API.</summary>
public static class MemoryServiceExtensions
{
    /// <summary>
    /// The store: Qdrant over its REST API when <c>ConnectionStrings:qdrant_http</c> or <c>ConnectionStrings:qdrant</c> is
    /// set, otherwise the embedded store under <c>Memory:Embedded:DataDirectory</c>.
    /// </summary>
    public static IHostApplicationBuilder AddMemoryStore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (QdrantConnection.FromConfiguration(builder.Configuration) is { } qdrant)
        {
            builder.Services.AddHttpClient("qdrant");
            builder.Services.AddSingleton<IMemoryStore>(sp => new QdrantMemoryStore(
                sp.GetRequiredService<IHttpClientFactory>().CreateClient("qdrant"), qdrant, sp.GetRequiredService<TimeProvider>()));
        }
        else
        {
            builder.Services.AddOptions<EmbeddedStoreOptions>().BindConfiguration("Memory:Embedded").ValidateDataAnnotations().ValidateOnStart();
            builder.Services.AddSingleton<IMemoryStore>(sp => EmbeddedMemoryStore.Open(
                Path.GetFullPath(sp.GetRequiredService<IOptions<EmbeddedStoreOptions>>().Value.DataDirectory, builder.Environment.ContentRootPath)));

            // The disk check watches the store's disk, unless Health:Resources:DataDirectory says otherwise.
            builder.Services.AddOptions<ResourceHealthOptions>().PostConfigure<IOptions<EmbeddedStoreOptions>>(
                (health, store) => health.DataDirectory ??= store.Value.DataDirectory);
        }

        builder.Services.AddHealthChecks().AddCheck<MemoryStoreHealthCheck>("memory-store");
        return builder;
    }

    /// <summary>The embedder: the configured Ollama model when it answers, else the lexical embedder.</summary>
    public static IHostApplicationBuilder AddEmbeddings(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<EmbeddingOptions>().BindConfiguration("Memory:Embeddings");
        builder.Services.AddHttpClient("ollama");
        builder.Services.AddSingleton<EmbedderSelector>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EmbedderSelector>());
        builder.Services.AddHealthChecks().AddCheck<EmbedderHealthCheck>("embedder");
        return builder;
    }

    /// <summary>Storing and recalling memories, with their telemetry.</summary>
    public static IHostApplicationBuilder AddMemories(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<RankingOptions>().BindConfiguration("Memory:Ranking").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<MemoryRanker>();
        builder.Services.AddSingleton<MemoryTelemetry>();
        builder.Services.AddSingleton<MemoryService>();
        builder.Services.AddHostedService<MemoryCountInitializer>();
        return builder;
    }
}

/// <summary>Healthy when the store answers; Unhealthy with the reason otherwise.</summary>
internal sealed class MemoryStoreHealthCheck(IMemoryStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.CheckHealthAsync(cancellationToken);
            return HealthCheckResult.Healthy($"{store.Backend} store");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"{store.Backend} store: {e.Message}");
        }
    }
}

/// <summary>Which embedder is in use: Degraded while the lexical embedder stands in for an unreachable Ollama.</summary>
internal sealed class EmbedderHealthCheck(EmbedderSelector embedders) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var current = embedders.Current;
        return Task.FromResult(new HealthCheckResult(current.Status, current.Description));
    }
}

/// <summary>
/// Sets the <c>memories_total</c> gauge from the store once it answers. In the background: an unreachable Qdrant must not
/// stop the service from starting (its health check says what is wrong).
/// </summary>
internal sealed partial class MemoryCountInitializer(IMemoryStore store, MemoryTelemetry telemetry, TimeProvider timeProvider, ILogger<MemoryCountInitializer> logger) : BackgroundService
{
    private static readonly TimeSpan s_retryInterval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                telemetry.SetTotal(await store.CountAsync(stoppingToken));
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogCountFailed(logger, store.Backend, e.Message);
            }

            await Task.Delay(s_retryInterval, timeProvider, stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot count the memories in the {Backend} store yet ({Reason}); trying again.")]
    private static partial void LogCountFailed(ILogger logger, string backend, string reason);
}
