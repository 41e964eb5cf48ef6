namespace Jarvis.Tests.Reliability;

/// <summary>How many clients of each channel a traffic runs, each sending its next turn when the last one is done.</summary>
public sealed record TrafficMix(int Rest = 0, int Sse = 0, int WebSocket = 0, int OpenAi = 0, int OpenAiStream = 0)
{
    /// <summary>The mix of the load test: every channel, REST and WebSocket the most.</summary>
    public static TrafficMix Mixed { get; } = new(Rest: 3, Sse: 2, WebSocket: 3, OpenAi: 2, OpenAiStream: 2);

    /// <summary>The channels that have clients, as <see cref="TurnResult.Channel"/> names them.</summary>
    public IEnumerable<string> Channels =>
        new[] { ("rest", Rest), ("sse", Sse), ("ws", WebSocket), ("openai", OpenAi), ("openai-stream", OpenAiStream) }.Where(c => c.Item2 > 0).Select(c => c.Item1);

    /// <summary>How many clients in all.</summary>
    public int Clients => Rest + Sse + WebSocket + OpenAi + OpenAiStream;

    public override string ToString() =>
        $"{Rest} REST, {Sse} SSE, {WebSocket} WebSocket, {OpenAi} OpenAI, {OpenAiStream} OpenAI streaming clients";
}
