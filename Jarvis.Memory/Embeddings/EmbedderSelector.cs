using Jarvis.Memory.Embeddings.Ollama;
using Jarvis.Memory.Storage;
using Jarvis.ServiceDefaults.ConnectionStrings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Jarvis.Memory.Embeddings;

/// <summary>
/// Chooses the embedder: the configured Ollama model once it answers, else the lexical embedder. When Ollama is
/// configured but unreachable, the lexical embedder stands in (health Degraded) and Ollama is tried again periodically.
/// </summary>
public sealed partial class EmbedderSelector(
    IConfiguration configuration,
    IOptions<EmbeddingOptions> options,
    IHttpClientFactory httpClientFactory,
    ILoggerFactory loggerFactory,
    TimeProvider timeProvider,
    ILogger<EmbedderSelector> logger) : BackgroundService
{
    private static readonly ActiveEmbedder s_lexical = new(new LexicalEmbedder(), LexicalEmbedder.Descriptor, HealthStatus.Healthy, "lexical embedder (no Ollama model configured)");

    private IEmbeddingGenerator<string, Embedding<float>>? _ollama;
    private OllamaConnection? _connection;

    /// <summary>The embedder in use now.</summary>
    public ActiveEmbedder Current { get; private set; } = s_lexical;

    /// <inheritdoc />
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (OllamaConnectionString() is { } connectionString)
        {
            _connection = OllamaConnection.Parse(connectionString, options.Value.Model);
            _ollama = OllamaEmbeddings.Create(httpClientFactory.CreateClient("ollama"), _connection, loggerFactory);

            // The first attempt is part of the start, so the first memory already lands in the right collection; it is
            // bounded, so an Ollama still starting (or pulling the model) delays nothing: the retries go on in the background.
            using var firstAttempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            firstAttempt.CancelAfter(options.Value.FirstAttemptTimeout);
            await TryOllamaAsync(firstAttempt.Token, cancellationToken);
        }

        await base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (_ollama is not null && Current.Descriptor.Provider != OllamaEmbeddings.ProviderName)
        {
            await Task.Delay(options.Value.RetryInterval, timeProvider, stoppingToken);
            await TryOllamaAsync(stoppingToken, stoppingToken);
        }
    }

    /// <summary>One attempt to reach Ollama, bounded by <paramref name="attempt"/>; only <paramref name="stopping"/> ends the service.</summary>
    private async Task TryOllamaAsync(CancellationToken attempt, CancellationToken stopping)
    {
        try
        {
            var descriptor = await OllamaEmbeddings.DescribeAsync(_ollama!, _connection!, attempt);
            Current = new ActiveEmbedder(_ollama!, descriptor, HealthStatus.Healthy, $"ollama {descriptor.Model} ({descriptor.Dimensions} dimensions)");
            LogUsingOllama(logger, descriptor.Model, descriptor.Dimensions);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !stopping.IsCancellationRequested))
        {
            var reason = e is OperationCanceledException ? "no answer in time" : e.Message;
            Current = s_lexical with { Status = HealthStatus.Degraded, Description = $"lexical embedder standing in: Ollama {_connection!.Model} failed ({reason})" };
            LogOllamaUnavailable(logger, _connection.Model, reason);
        }
    }

    private string? OllamaConnectionString() =>
        new[] { options.Value.ConnectionStringName, "ollama" }.Select(configuration.GetConnectionString).FirstOrDefault(c => !string.IsNullOrWhiteSpace(c));

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedding with Ollama {Model} ({Dimensions} dimensions).")]
    private static partial void LogUsingOllama(ILogger logger, string model, int dimensions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ollama {Model} is not available ({Reason}); the lexical embedder stands in until it is.")]
    private static partial void LogOllamaUnavailable(ILogger logger, string model, string reason);
}

/// <summary>An embedder, its identity, and its health as the health check reports it.</summary>
public sealed record ActiveEmbedder(IEmbeddingGenerator<string, Embedding<float>> Generator, EmbedderDescriptor Descriptor, HealthStatus Status, string Description);
