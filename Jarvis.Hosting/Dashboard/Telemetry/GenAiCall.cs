namespace Jarvis.Hosting.Dashboard.Telemetry;

/// <summary>A call to a generative AI model: a span with a <c>gen_ai.system</c> or <c>gen_ai.operation.name</c> attribute.</summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>Model</c>: The requested model (<c>gen_ai.request.model</c>), else the one that answered (<c>gen_ai.response.model</c>).</item>
/// <item><c>TimeToFirstToken</c>: From the span's start to its <c>gen_ai.first_token</c> event; null without that event.</item>
/// <item><c>Status</c>: The span's status: Unset, Ok or Error.</item>
/// </list>
/// </remarks>
public sealed record GenAiCall(
    string TraceId,
    string SpanId,
    string Resource,
    string Name,
    DateTimeOffset Start,
    TimeSpan Duration,
    string? System,
    string? Model,
    long? InputTokens,
    long? OutputTokens,
    TimeSpan? TimeToFirstToken,
    string Status);
