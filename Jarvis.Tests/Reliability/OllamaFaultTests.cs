using System.Globalization;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Jarvis.Tests.Api.Chat;
using Jarvis.Tests.Infrastructure;
using Jarvis.Tests.Infrastructure.Ollama;

namespace Jarvis.Tests.Reliability;

/// <summary>
/// The real Jarvis.Api (a child process) under chat load on every channel while the fake Ollama fails mid-answer (an
/// <c>{"error"}</c> line, then a reset connection) and while it answers slowly or stalls: every failed turn ends in a
/// clean error (a 502, an <c>error</c> event, OpenAI's error object), sockets stay usable, slow replies arrive whole,
/// a client that gives up on a stalled reply frees it, and no stream is left open. Memory is down (not the subject).
/// </summary>
[Collection(ReliabilityTestGroup.Name)]
public sealed class OllamaFaultTests
{
    private static readonly TrafficMix s_mix = new(Rest: 2, Sse: 2, WebSocket: 2, OpenAi: 1, OpenAiStream: 1);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AModelFailingMidAnswerGivesCleanErrorsAndTheSocketsStayUsable()
    {
        await using var ollama = await ReliabilityRun.StartOllamaAsync(Ct);
        await using var api = await ReliabilityRun.StartApiAsync(new Uri("http://127.0.0.1:1"), ollama, Ct);
        using var traffic = new ChatTraffic(api.BaseAddress);
        using var stop = new CancellationTokenSource();
        var phases = new List<(string Name, double From, double To)>();
        async Task PhaseAsync(string name, FakeChatReply reply)
        {
            ollama.UnscriptedReply = reply;
            // Turns that started before the switch may have had the previous reply: a phase counts from 0.5 s in.
            var from = traffic.Elapsed + 0.5;
            await Task.Delay(TimeSpan.FromSeconds(4), Ct);
            phases.Add((name, from, traffic.Elapsed));
        }

        ollama.UnscriptedReply = new FakeChatReply { Error = "llama runner process has terminated: signal: killed", TokensBeforeError = 2 };
        var load = traffic.RunAsync(s_mix, stop.Token, Ct);
        await PhaseAsync("{\"error\"} line after 2 tokens", ollama.UnscriptedReply);
        await PhaseAsync("connection reset after 2 tokens", new FakeChatReply { Error = "reset", TokensBeforeError = 2, ResetConnection = true });
        await PhaseAsync("the model answers again", FakeOllamaServer.DefaultReply);
        await stop.CancelAsync();
        await load;
        await Eventually.TrueAsync(() => Task.FromResult(ollama.OpenStreams == 0), "every stream to Ollama to be closed", Ct, TimeSpan.FromSeconds(10));

        var results = traffic.Results.Where(r => r.Channel != "ws-connect").ToList();
        List<TurnResult> In((string Name, double From, double To) phase) => [.. results.Where(r => r.EndedAt - (r.Milliseconds / 1000) >= phase.From && r.EndedAt <= phase.To)];
        var lines = new List<string> { $"{s_mix}; memory down" };
        foreach (var phase in phases)
        {
            var turns = In(phase);
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{phase.Name}: {turns.Count} turns, {turns.Count(r => r.Outcome == TurnOutcome.LlmFailed)} clean LLM errors, {turns.Count(r => r.Outcome is TurnOutcome.Ok or TurnOutcome.MemoryUnavailable)} whole replies, {turns.Count(r => r.Outcome == TurnOutcome.Error)} other failures; {ReliabilityRun.Percentiles(turns.Select(r => r.Milliseconds))}"));
        }

        var failures = results.Where(r => r.Outcome is TurnOutcome.Error or TurnOutcome.RateLimited or TurnOutcome.ShuttingDown).ToList();
        lines.AddRange(failures.Take(5).Select(e => $"error: {e.Channel} {e.Outcome} {e.Detail}"));
        ReliabilityRun.Report("Fault: Ollama failing mid-answer", lines);

        Assert.True(failures.Count == 0, $"{failures.Count} turns did not end cleanly, the first: {string.Join("; ", failures.Take(3).Select(e => $"{e.Channel} {e.Outcome} {e.Detail}"))}");
        foreach (var phase in phases[..2])
        {
            Assert.NotEmpty(In(phase));
            Assert.All(In(phase), r => Assert.Equal(TurnOutcome.LlmFailed, r.Outcome));
            Assert.All(s_mix.Channels, channel => Assert.Contains(In(phase), r => r.Channel == channel));
        }

        Assert.NotEmpty(In(phases[2]));
        Assert.All(In(phases[2]), r => Assert.Equal(TurnOutcome.MemoryUnavailable, r.Outcome));
        Assert.All(s_mix.Channels, channel => Assert.Contains(In(phases[2]), r => r.Channel == channel));
        Assert.Empty(ReliabilityRun.Crashes(api));
    }

    [Fact]
    public async Task ASlowModelAnswersWholeAndAClientGivingUpOnAStalledReplyFreesIt()
    {
        await using var ollama = await ReliabilityRun.StartOllamaAsync(Ct);
        await using var api = await ReliabilityRun.StartApiAsync(new Uri("http://127.0.0.1:1"), ollama, Ct);

        // Slow: 1.5 s to the first token, then 300 ms a token (about 2.7 s a reply).
        ollama.UnscriptedReply = new FakeChatReply { DelayBeforeFirstToken = TimeSpan.FromSeconds(1.5), DelayBetweenTokens = TimeSpan.FromMilliseconds(300) };
        List<TurnResult> slow;
        var threadsBefore = LinuxProcesses.Threads(api.Pid);
        var threadsMost = 0;
        using (var traffic = new ChatTraffic(api.BaseAddress))
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(6));
            var load = traffic.RunAsync(s_mix, stop.Token, Ct);
            while (!load.IsCompleted)
            {
                threadsMost = Math.Max(threadsMost, LinuxProcesses.Threads(api.Pid));
                await Task.Delay(100, Ct);
            }

            await load;
            slow = [.. traffic.Results.Where(r => r.Channel != "ws-connect")];
        }

        // Stalled: the first token, then nothing. Each client gives up its own way.
        ollama.UnscriptedReply = new FakeChatReply { DelayBetweenTokens = TimeSpan.FromHours(1) };
        var stopped = await StopOverWebSocketAsync(api);
        var abandoned = await AbandonAsync(api, "/api/chat", new { message = "sky?" });
        var abandonedOpenAi = await AbandonAsync(api, "/v1/chat/completions", new { model = "jarvis", messages = new[] { new { role = "user", content = "sky?" } }, stream = true });
        await Eventually.TrueAsync(() => Task.FromResult(ollama.OpenStreams == 0), "every stalled stream to Ollama to be closed", Ct, TimeSpan.FromSeconds(10));

        var failures = slow.Where(r => r.Outcome is not (TurnOutcome.Ok or TurnOutcome.MemoryUnavailable)).ToList();
        ReliabilityRun.Report("Fault: Ollama slow (1.5 s to the first token, 300 ms a token), then stalled", [
            $"{s_mix}; {slow.Count} slow turns, {failures.Count} not whole; {ReliabilityRun.Percentiles(slow.Select(r => r.Milliseconds))}",
            $"Api threads {threadsBefore} before, at most {threadsMost} with {s_mix.Clients} slow replies in flight",
            $"stalled reply: WebSocket stop answered by {stopped}; an SSE client and an OpenAI streaming client that left after the first token: {abandoned}, {abandonedOpenAi}; streams left open to Ollama: {ollama.OpenStreams}",
            .. failures.Take(5).Select(e => $"error: {e.Channel} {e.Outcome} {e.Detail}"),
        ]);

        Assert.True(failures.Count == 0, $"{failures.Count} slow turns were not whole, the first: {string.Join("; ", failures.Take(3).Select(e => $"{e.Channel} {e.Outcome} {e.Detail}"))}");
        Assert.All(s_mix.Channels, channel => Assert.Contains(slow, r => r.Channel == channel));
        Assert.Equal("done stopped", stopped);
        Assert.Empty(ReliabilityRun.Crashes(api));
    }

    /// <summary>Starts a turn over a WebSocket, sends <c>stop</c> after its first token, and says what ended the turn.</summary>
    private static async Task<string> StopOverWebSocketAsync(ServiceProcess api)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-API-Key", ApiFactory.Key);
        await socket.ConnectAsync(new Uri($"ws://{api.BaseAddress.Authority}/ws"), timeout.Token);
        await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(new { type = "message", text = "sky?" }), WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            using var json = JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count));
            switch (json.RootElement.GetProperty("type").GetString())
            {
                case "token":
                    await socket.SendAsync("""{"type":"stop"}"""u8.ToArray(), WebSocketMessageType.Text, true, timeout.Token);
                    break;
                case "done":
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
                    return json.RootElement.GetProperty("stopped").GetBoolean() ? "done stopped" : "done";
                case var other:
                    return other ?? "nothing";
            }
        }
    }

    /// <summary>Posts a streaming turn, reads until its first token, then goes away (the connection closes).</summary>
    private static async Task<string> AbandonAsync(ServiceProcess api, string path, object body)
    {
        using var client = api.CreateClient();
        client.DefaultRequestHeaders.Add("X-API-Key", ApiFactory.Key);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        var first = await reader.ReadLineAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(15), Ct);
        return $"{(int)response.StatusCode} then '{first?[..Math.Min(first.Length, 24)]}…'";
    }
}
