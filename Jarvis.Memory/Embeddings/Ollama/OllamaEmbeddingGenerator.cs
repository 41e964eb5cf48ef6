using System.Net.Http.Headers;
using System.Text.Json;
using Jarvis.Memory.Storage;
using Jarvis.ServiceDefaults.ConnectionStrings;
using Jarvis.ServiceDefaults.Logging;
using Microsoft.Extensions.AI;

namespace Jarvis.Memory.Embeddings.Ollama;

/// <summary>
/// Embeddings from an Ollama server's <c>POST /api/embed</c>, in batches of at most
/// <see cref="OllamaEmbeddingOptions.MaxBatchSize"/> texts, returned in input order. Ollama L2-normalises the vectors, so
/// cosine similarity is their dot product. The <see cref="HttpClient"/> is a typed client: retries, timeouts and spans
/// come from its handlers (ServiceDefaults), not from here.
/// </summary>
public sealed class OllamaEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The provider name in metadata and in <see cref="EmbedderDescriptor.Provider"/>.</summary>
    public const string ProviderName = "ollama";

    /// <summary>What <see cref="DescribeAsync"/> embeds to learn the vector size.</summary>
    internal const string ProbeText = "Jarvis embedding probe";

    private const string EmbedPath = "api/embed";
    private const int MaxQuotedBodyChars = 300;

    private static readonly MediaTypeHeaderValue s_json = new("application/json");

    private readonly HttpClient _http;
    private readonly OllamaConnection _connection;
    private readonly OllamaEmbeddingOptions _options;
    private readonly Uri _embedUri;
    private int _dimensions;

    /// <summary>Creates the generator for <paramref name="connection"/>'s server and model.</summary>
    public OllamaEmbeddingGenerator(HttpClient http, OllamaConnection connection, OllamaEmbeddingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(connection);
        _options = options ?? new OllamaEmbeddingOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxBatchSize, 1, nameof(options));
        _http = http;
        _connection = connection;
        _embedUri = new Uri(connection.Endpoint, EmbedPath);
    }

    /// <summary>The server and model this generator embeds with.</summary>
    public OllamaConnection Connection => _connection;

    /// <summary>The size of the default model's vectors, once a response (or <see cref="DescribeAsync"/>) has shown it.</summary>
    public int? Dimensions => Volatile.Read(ref _dimensions) is > 0 and var dimensions ? dimensions : null;

    /// <summary>The embedder's identity once <see cref="Dimensions"/> is known, else null.</summary>
    public EmbedderDescriptor? Descriptor => Dimensions is { } dimensions ? new EmbedderDescriptor(ProviderName, _connection.Model, dimensions) : null;

    /// <summary>
    /// The embedder's identity, <c>ollama-MODEL-DIMENSIONS</c>: embeds <see cref="ProbeText"/> once to learn the vector
    /// size (which also checks that the server is up and has the model) unless it is already known.
    /// </summary>
    /// <exception cref="OllamaException">Ollama answered with an error, such as 404 for a model it does not have.</exception>
    /// <exception cref="HttpRequestException">Ollama could not be reached.</exception>
    public async Task<EmbedderDescriptor> DescribeAsync(CancellationToken cancellationToken = default)
    {
        if (Descriptor is { } known)
        {
            return known;
        }

        await GenerateAsync([ProbeText], options: null, cancellationToken);
        return Descriptor ?? throw new InvalidOperationException("Ollama's probe embedding did not reveal the vector size.");
    }

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        string[] inputs = [.. values];
        for (var i = 0; i < inputs.Length; i++)
        {
            if (inputs[i] is null)
            {
                throw new ArgumentException($"Text {i} to embed is null.", nameof(values));
            }
        }

        var model = options?.ModelId ?? _connection.Model;
        var dimensions = options?.Dimensions ?? _options.Dimensions;
        // Only vectors of the configured model and size say what this embedder's dimension is.
        var isDefault = model == _connection.Model && dimensions == _options.Dimensions;

        var result = new GeneratedEmbeddings<Embedding<float>>(inputs.Length);
        long? inputTokens = null;
        for (var start = 0; start < inputs.Length; start += _options.MaxBatchSize)
        {
            var batch = inputs[start..Math.Min(inputs.Length, start + _options.MaxBatchSize)];
            var request = new OllamaEmbedRequest(model, batch) { Dimensions = dimensions, KeepAlive = _options.KeepAlive };
            var response = await EmbedAsync(request, cancellationToken);
            var vectors = response.Embeddings;
            if (vectors is null || vectors.Length != batch.Length)
            {
                throw Unexpected($"{vectors?.Length ?? 0} embeddings for {batch.Length} texts");
            }

            foreach (var vector in vectors)
            {
                if (vector is null || vector.Length == 0)
                {
                    throw Unexpected("an empty embedding");
                }

                if (isDefault)
                {
                    RememberDimensions(vector.Length);
                }

                result.Add(new Embedding<float>(vector) { ModelId = response.Model ?? model });
            }

            if (response.PromptEvalCount is { } count)
            {
                inputTokens = (inputTokens ?? 0) + count;
            }
        }

        if (inputTokens is { } tokens)
        {
            result.Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens };
        }

        return result;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return new EmbeddingGeneratorMetadata(ProviderName, _connection.Endpoint, _connection.Model, Dimensions);
        }

        if (serviceType == typeof(OllamaConnection))
        {
            return _connection;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Nothing to release: the typed client's handlers belong to IHttpClientFactory.</summary>
    public void Dispose()
    {
    }

    private async Task<OllamaEmbedResponse> EmbedAsync(OllamaEmbedRequest request, CancellationToken cancellationToken)
    {
        // Serialised up front so the body has a length and can be sent again when the pipeline retries.
        using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(request, OllamaJsonContext.Default.OllamaEmbedRequest));
        content.Headers.ContentType = s_json;
        using var response = await _http.PostAsync(_embedUri, content, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw Failed(response, body);
        }

        try
        {
            return JsonSerializer.Deserialize(body, OllamaJsonContext.Default.OllamaEmbedResponse)
                ?? throw Unexpected("null instead of a response");
        }
        catch (JsonException e)
        {
            throw new OllamaException($"Ollama at {_connection.Endpoint} answered POST /{EmbedPath} with a body that is not an embed response: {e.Message}", response.StatusCode, null, e);
        }
    }

    private OllamaException Failed(HttpResponseMessage response, string body)
    {
        string? error = null;
        try
        {
            error = JsonSerializer.Deserialize(body, OllamaJsonContext.Default.OllamaErrorResponse)?.Error;
        }
        catch (JsonException)
        {
            // Not Ollama's error shape (a proxy's page, say): the raw body is quoted instead.
        }

        var detail = error ?? Quote(body);
        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
        return new OllamaException($"Ollama at {_connection.Endpoint} answered POST /{EmbedPath} with {status}: {detail}", response.StatusCode, error);
    }

    private OllamaException Unexpected(string what) =>
        new($"Ollama at {_connection.Endpoint} answered POST /{EmbedPath} with {what}.", statusCode: null, ollamaError: null);

    private void RememberDimensions(int length)
    {
        var known = Interlocked.CompareExchange(ref _dimensions, length, 0);
        if (known != 0 && known != length)
        {
            throw Unexpected($"{length}-dimensional vectors where model '{_connection.Model}' gave {known} before");
        }
    }

    private static string Quote(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return "(no body)";
        }

        // Scrubbed before it is cut, so a cut cannot hide a secret from the patterns.
        var text = SecretScrubber.Scrub(body.Trim());
        return text.Length <= MaxQuotedBodyChars ? text : string.Concat(text.AsSpan(0, MaxQuotedBodyChars), "…");
    }
}
