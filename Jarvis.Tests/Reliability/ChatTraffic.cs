using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Jarvis.Tests.Api.Chat;

namespace Jarvis.Tests.Reliability;

/// <summary>
/// Chat traffic from several clients against a running Api, over REST (JSON and server-sent events), the WebSocket and
/// the OpenAI-compatible route (plain and streaming), each client one turn at a time (docs/web-api.md). Every turn is
/// checked whole (the expected reply, tokens that add up to it, a final event) and recorded with its latency.
/// </summary>
public sealed partial class ChatTraffic(Uri api) : IDisposable
{
    /// <summary>What the fake Ollama answers by default.</summary>
    public const string DefaultReply = "The sky is blue.";

    // A turn that takes longer is hung: the traffic records it as an error instead of waiting for ever.
    private static readonly TimeSpan s_turnTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
    {
        BaseAddress = api,
        Timeout = Timeout.InfiniteTimeSpan,
        DefaultRequestHeaders = { { "X-API-Key", ApiFactory.Key } },
    };

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _inFlight;
    private int _toldShutdown;

    /// <summary>Every turn so far.</summary>
    public ConcurrentQueue<TurnResult> Results { get; } = new();

    /// <summary>How each WebSocket ended: the service's close status, or null when the client closed it.</summary>
    public ConcurrentQueue<WebSocketCloseStatus?> SocketCloses { get; } = new();

    /// <summary>WebSocket clients told <c>shutdown</c>.</summary>
    public int SocketsToldShutdown => Volatile.Read(ref _toldShutdown);

    /// <summary>Turns in flight now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Seconds since the traffic was created: the clock of <see cref="TurnResult.EndedAt"/>.</summary>
    public double Elapsed => _clock.Elapsed.TotalSeconds;

    /// <summary>The reply a turn must get to be <see cref="TurnOutcome.Ok"/> (with the memory note, <see cref="TurnOutcome.MemoryUnavailable"/>).</summary>
    public string ExpectedReply { get; set; } = DefaultReply;

    /// <summary>
    /// Runs the clients of <paramref name="mix"/> until <paramref name="stop"/>: then each finishes the turn it has in
    /// flight and sends no more. WebSocket clients then close their socket, or with <paramref name="awaitServerClose"/>
    /// wait for the service to close it (a shutdown).
    /// </summary>
    public Task RunAsync(TrafficMix mix, CancellationToken stop, CancellationToken cancellationToken, bool awaitServerClose = false)
    {
        ArgumentNullException.ThrowIfNull(mix);
        var clients = new List<Task>();
        void Add(int count, string channel, Func<string, string, string, CancellationToken, Task<(TurnOutcome, string)>> turn)
        {
            for (var i = 0; i < count; i++)
            {
                var name = $"{channel}-{i}";
                clients.Add(Task.Run(() => HttpClientAsync(channel, name, turn, stop, cancellationToken), cancellationToken));
            }
        }

        Add(mix.Rest, "rest", RestTurnAsync);
        Add(mix.Sse, "sse", SseTurnAsync);
        Add(mix.OpenAi, "openai", (user, _, message, ct) => OpenAiTurnAsync(user, message, stream: false, ct));
        Add(mix.OpenAiStream, "openai-stream", (user, _, message, ct) => OpenAiTurnAsync(user, message, stream: true, ct));
        for (var i = 0; i < mix.WebSocket; i++)
        {
            var name = $"ws-{i}";
            clients.Add(Task.Run(() => WebSocketClientAsync(name, awaitServerClose, stop, cancellationToken), cancellationToken));
        }

        return Task.WhenAll(clients);
    }

    public void Dispose() => _http.Dispose();

    private async Task HttpClientAsync(
        string channel, string name, Func<string, string, string, CancellationToken, Task<(TurnOutcome, string)>> turn, CancellationToken stop, CancellationToken cancellationToken)
    {
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var (user, conversation, message) = Turn(name, n);
            await RecordAsync(channel, user, conversation, message, ct => turn(user, conversation, message, ct), cancellationToken);
        }
    }

    private async Task RecordAsync(string channel, string user, string conversation, string message, Func<CancellationToken, Task<(TurnOutcome, string)>> turn, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_turnTimeout);
        var started = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _inFlight);
        TurnOutcome outcome;
        string detail;
        try
        {
            (outcome, detail) = await turn(timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or WebSocketException or JsonException or KeyNotFoundException
                                  || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            (outcome, detail) = (TurnOutcome.Error, e is OperationCanceledException ? $"hung: no reply in {s_turnTimeout.TotalSeconds} s" : $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }

        Results.Enqueue(new TurnResult(channel, user, conversation, message, Elapsed, Stopwatch.GetElapsedTime(started).TotalMilliseconds, outcome, detail));
    }

    /// <summary>Turn <paramref name="n"/> of a client: a new conversation every 100 turns (200 recorded turns, within one read).</summary>
    private static (string User, string Conversation, string Message) Turn(string client, int n) =>
        ($"load-{client}", $"conversation-{client}-{n / 100}", $"turn {n} of {client}: what colour is the sky?");

    /// <summary>A complete reply: the expected text, maybe with the memory note.</summary>
    private (TurnOutcome, string) Reply(string? reply) =>
        reply is null || !reply.StartsWith(ExpectedReply, StringComparison.Ordinal)
            ? (TurnOutcome.Error, $"unexpected reply: {reply}")
            : reply.Contains("memory is unavailable", StringComparison.OrdinalIgnoreCase) ? (TurnOutcome.MemoryUnavailable, reply) : (TurnOutcome.Ok, reply);

    /// <summary>A turn refused or failed before its reply: a clean LLM failure, a 429, a 503 while draining, or an error.</summary>
    private static (TurnOutcome, string) Refused(HttpStatusCode status, string body) => status switch
    {
        HttpStatusCode.BadGateway => (TurnOutcome.LlmFailed, body),
        HttpStatusCode.TooManyRequests => (TurnOutcome.RateLimited, body),
        HttpStatusCode.ServiceUnavailable when body.Contains("stopping", StringComparison.Ordinal) => (TurnOutcome.ShuttingDown, body),
        _ => (TurnOutcome.Error, $"{(int)status}: {body}"),
    };

    private async Task<(TurnOutcome, string)> RestTurnAsync(string user, string conversation, string message, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync("/api/chat", new { message, userId = user, conversationId = conversation }, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.StatusCode == HttpStatusCode.OK
            ? Reply(JsonDocument.Parse(body).RootElement.GetProperty("reply").GetString())
            : Refused(response.StatusCode, body);
    }

    private async Task<(TurnOutcome, string)> SseTurnAsync(string user, string conversation, string message, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/chat") { Content = JsonContent.Create(new { message, userId = user, conversationId = conversation }) };
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return Refused(response.StatusCode, body);
        }

        var tokens = new StringBuilder();
        foreach (var block in body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n');
            var name = lines.FirstOrDefault(l => l.StartsWith("event: ", StringComparison.Ordinal))?["event: ".Length..];
            var data = string.Concat(lines.Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => l["data: ".Length..]));
            switch (name)
            {
                case "token":
                    tokens.Append(JsonDocument.Parse(data).RootElement.GetProperty("text").GetString());
                    break;
                case "done":
                    var reply = JsonDocument.Parse(data).RootElement.GetProperty("reply").GetString();
                    return reply == tokens.ToString() ? Reply(reply) : (TurnOutcome.Error, $"the tokens '{tokens}' are not the reply '{reply}'");
                case "error":
                    return JsonDocument.Parse(data).RootElement.GetProperty("code").GetString() == "llm_failed" ? (TurnOutcome.LlmFailed, data) : (TurnOutcome.Error, data);
                default:
                    break;
            }
        }

        return (TurnOutcome.Error, $"cut: the stream ended without done or error: {body}");
    }

    private async Task<(TurnOutcome, string)> OpenAiTurnAsync(string user, string message, bool stream, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = "jarvis", messages = new[] { new { role = "user", content = message } }, stream, user }),
        };
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return Refused(response.StatusCode, body);
        }

        if (!stream)
        {
            return Reply(JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        }

        var content = new StringBuilder();
        foreach (var line in body.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => l["data: ".Length..]))
        {
            if (line == "[DONE]")
            {
                return Reply(content.ToString());
            }

            var chunk = JsonDocument.Parse(line).RootElement;
            if (chunk.TryGetProperty("error", out var error))
            {
                return (TurnOutcome.LlmFailed, error.GetRawText());
            }

            if (chunk.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var text) && text.ValueKind == JsonValueKind.String)
            {
                content.Append(text.GetString());
            }
        }

        return (TurnOutcome.Error, $"cut: the stream ended without [DONE]: {body}");
    }
}
