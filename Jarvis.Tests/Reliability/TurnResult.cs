namespace Jarvis.Tests.Reliability;

/// <summary>What a chat turn came to, as its client saw it.</summary>
public enum TurnOutcome
{
    /// <summary>The whole expected reply.</summary>
    Ok,

    /// <summary>A whole reply that says memory is unavailable.</summary>
    MemoryUnavailable,

    /// <summary>A clean LLM error: a 502 problem, an SSE or WebSocket <c>error</c> event, OpenAI's error object.</summary>
    LlmFailed,

    /// <summary>A 429.</summary>
    RateLimited,

    /// <summary>A 503 "shutting down".</summary>
    ShuttingDown,

    /// <summary>Anything else: a 5xx, a failed connection, a cut or hung reply, an unexpected reply.</summary>
    Error,
}

/// <summary>One turn: its channel, who sent what, when it ended (seconds into the traffic), how long it took, and its outcome.</summary>
public sealed record TurnResult(
    string Channel, string UserId, string ConversationId, string Message, double EndedAt, double Milliseconds, TurnOutcome Outcome, string Detail);
