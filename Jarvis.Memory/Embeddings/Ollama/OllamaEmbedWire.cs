using System.Text.Json.Serialization;

namespace Jarvis.Memory.Embeddings.Ollama;

/// <summary>The body of <c>POST /api/embed</c>; unset optional fields are left out, so the server's defaults apply.</summary>
internal sealed record OllamaEmbedRequest(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("input")] IReadOnlyList<string> Input)
{
    [JsonPropertyName("dimensions")]
    public int? Dimensions { get; init; }

    [JsonPropertyName("keep_alive")]
    public string? KeepAlive { get; init; }
}

/// <summary>The answer of <c>POST /api/embed</c>; the durations and count are omitted by Ollama when zero.</summary>
internal sealed record OllamaEmbedResponse(
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("embeddings")] float[][]? Embeddings,
    [property: JsonPropertyName("total_duration")] long? TotalDuration,
    [property: JsonPropertyName("load_duration")] long? LoadDuration,
    [property: JsonPropertyName("prompt_eval_count")] long? PromptEvalCount);

/// <summary>Ollama's error body, <c>{"error": "..."}</c>.</summary>
internal sealed record OllamaErrorResponse([property: JsonPropertyName("error")] string? Error);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OllamaEmbedRequest))]
[JsonSerializable(typeof(OllamaEmbedResponse))]
[JsonSerializable(typeof(OllamaErrorResponse))]
internal sealed partial class OllamaJsonContext : JsonSerializerContext;
