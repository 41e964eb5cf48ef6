using System.Net;
using Jarvis.ServiceDefaults.ConnectionStrings;
using Jarvis.ServiceDefaults.Logging;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using OllamaSharp;

namespace Jarvis.Memory.Embeddings.Ollama;

/// <summary>
/// Ollama's embeddings through Microsoft.Extensions.AI: OllamaSharp's <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>
/// with OpenTelemetry (GenAI <c>embeddings</c> spans and metrics under <see cref="SourceName"/>), logging, and Ollama's
/// failures in words.
/// </summary>
public static class OllamaEmbeddings
{
    /// <summary>The provider name in <see cref="Storage.EmbedderDescriptor"/>s.</summary>
    public const string ProviderName = "ollama";

    /// <summary>The activity source and meter of the GenAI telemetry (matched by ServiceDefaults' <c>Jarvis.*</c>).</summary>
    public const string SourceName = "Jarvis.Memory.Embeddings";

    /// <summary>What <see cref="DescribeAsync"/> embeds to learn the vector size.</summary>
    internal const string ProbeText = "Jarvis embedding probe";

    /// <summary>
    /// The generator for <paramref name="connection"/>'s model over <paramref name="http"/>, a client from
    /// IHttpClientFactory (retries, timeouts and service discovery come from its handlers); its base address is set here.
    /// </summary>
    public static IEmbeddingGenerator<string, Embedding<float>> Create(HttpClient http, OllamaConnection connection, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(connection);
        http.BaseAddress = connection.Endpoint;
        IEmbeddingGenerator<string, Embedding<float>> ollama = new OllamaApiClient(http, connection.Model);
        return ollama.AsBuilder()
            .UseOpenTelemetry(sourceName: SourceName)
            .UseLogging(loggerFactory ?? NullLoggerFactory.Instance)
            .Use(inner => new ErrorsInWords(inner, connection))
            .Build();
    }

    /// <summary>
    /// The embedder's identity, <c>ollama-MODEL-DIMENSIONS</c>: embeds <see cref="ProbeText"/> to learn the vector size,
    /// which also checks that the server is up and has the model.
    /// </summary>
    /// <exception cref="HttpRequestException">Ollama could not be reached or failed (<see cref="OllamaEmbeddingException"/>).</exception>
    public static async Task<Storage.EmbedderDescriptor> DescribeAsync(IEmbeddingGenerator<string, Embedding<float>> generator, OllamaConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(connection);
        var probe = await generator.GenerateVectorAsync(ProbeText, cancellationToken: cancellationToken);
        return new Storage.EmbedderDescriptor(ProviderName, connection.Model, probe.Length);
    }

    /// <summary>OllamaSharp's exceptions (a 400's raw body, a bare status otherwise) turned into messages for the operator.</summary>
    private sealed class ErrorsInWords(IEmbeddingGenerator<string, Embedding<float>> inner, OllamaConnection connection)
        : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            string[] texts = [.. values];
            var model = options?.ModelId ?? connection.Model;
            var where = $"Ollama at {connection.Endpoint}";
            GeneratedEmbeddings<Embedding<float>> embeddings;
            try
            {
                embeddings = await base.GenerateAsync(texts, options, cancellationToken);
            }
            catch (OllamaSharp.Models.Exceptions.OllamaException e)
            {
                // The body is quoted as Ollama sent it; scrubbed, in case a proxy echoed a credential.
                throw new OllamaEmbeddingException($"{where} refused to embed with model '{model}' (400 Bad Request): {SecretScrubber.Scrub(e.Message)}", HttpStatusCode.BadRequest, e);
            }
            catch (HttpRequestException e) when (e.StatusCode is HttpStatusCode.NotFound)
            {
                throw new OllamaEmbeddingException($"{where} does not have the model '{model}'. Pull it with 'ollama pull {model}', or configure another in Memory:Embeddings.", e.StatusCode, e);
            }
            catch (HttpRequestException e) when (e.StatusCode is { } status)
            {
                throw new OllamaEmbeddingException($"{where} answered POST /api/embed for model '{model}' with {(int)status} {status}.", status, e);
            }

            if (embeddings.Count != texts.Length || embeddings.Any(embedding => embedding.Vector.Length == 0))
            {
                throw new OllamaEmbeddingException($"{where} answered POST /api/embed for model '{model}' with {embeddings.Count} embeddings (some may be empty) for {texts.Length} texts.", statusCode: null);
            }

            return embeddings;
        }
    }
}
