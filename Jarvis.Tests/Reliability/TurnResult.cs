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

/// <summary>How many clients of each channel a traffic runs, each sending its next turn when the last one is done.</summary>
public sealed record TrafficMix(int Rest = 0, int Sse = 0, int WebSocket = 0, int OpenAi = 0, int OpenAiStream = 0)
{
    /// <summary>The mix of the load test: every channel, REST and WebSocket the most.</summary>
    public static TrafficMix Mixed { get; } = new(Rest: 3, Sse: 2, WebSocket: 3, OpenAi: 2, OpenAiStream: 2);

    /// <summary>The channels that have clients, as <see cref="TurnResult.Channel"/> names them.</summary>
    public IEnumerable<string> Channels =>
        new[] { ("rest", Rest), ("sse", Sse), ("ws", WebSocket), ("openai", OpenAi), ("openai-stream", OpenAiStream) }.Where(c => c.Item2 > 0).Select(c => c.Item1);

    public override string ToString() =>
        $"{Rest} REST, {Sse} SSE, {WebSocket} WebSocket, {OpenAi} OpenAI, {OpenAiStream} OpenAI streaming clients";
}
