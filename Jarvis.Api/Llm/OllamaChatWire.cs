using System.Text.Json;
using System.Text.Json.Serialization;

namespace Jarvis.Api.Llm;

/// <summary>
/// One record of <c>POST /api/chat</c>: a streamed NDJSON line, the whole non-streamed answer, or an error
/// (<c>{"error": "..."}</c>, as a body or as the last line of a stream). Every metric is omitted by Ollama when zero.
/// </summary>
internal sealed class OllamaChatRecord
{
    [JsonPropertyName("model")]
    public string? Model { get; set; }

    [JsonPropertyName("created_at")]
    public string? CreatedAt { get; set; }

    [JsonPropertyName("message")]
    public OllamaChatRecordMessage? Message { get; set; }

    [JsonPropertyName("done")]
    public bool Done { get; set; }

    [JsonPropertyName("done_reason")]
    public string? DoneReason { get; set; }

    [JsonPropertyName("total_duration")]
    public long? TotalDuration { get; set; }

    [JsonPropertyName("load_duration")]
    public long? LoadDuration { get; set; }

    [JsonPropertyName("prompt_eval_count")]
    public long? PromptEvalCount { get; set; }

    [JsonPropertyName("prompt_eval_duration")]
    public long? PromptEvalDuration { get; set; }

    [JsonPropertyName("eval_count")]
    public long? EvalCount { get; set; }

    [JsonPropertyName("eval_duration")]
    public long? EvalDuration { get; set; }

    [JsonPropertyName("error")]
    public string? Error { get; set; }
}

internal sealed class OllamaChatRecordMessage
{
    [JsonPropertyName("role")]
    public string? Role { get; set; }

    [JsonPropertyName("content")]
    public string? Content { get; set; }

    [JsonPropertyName("thinking")]
    public string? Thinking { get; set; }

    [JsonPropertyName("tool_calls")]
    public List<OllamaToolCall>? ToolCalls { get; set; }
}

internal sealed class OllamaToolCall
{
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("function")]
    public OllamaToolCallFunction? Function { get; set; }
}

internal sealed class OllamaToolCallFunction
{
    [JsonPropertyName("index")]
    public int? Index { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("arguments")]
    public JsonElement? Arguments { get; set; }
}

[JsonSerializable(typeof(OllamaChatRecord))]
internal sealed partial class OllamaChatJsonContext : JsonSerializerContext;
