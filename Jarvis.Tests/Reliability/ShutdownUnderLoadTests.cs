using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using Jarvis.Tests.Infrastructure;
using Jarvis.Tests.Infrastructure.Ollama;

namespace Jarvis.Tests.Reliability;

/// <summary>
/// The real Jarvis.Api (a child process) gets SIGTERM under chat load on every channel, with replies in flight (a slow
/// model): every reply in flight finishes whole, every WebSocket is told <c>shutdown</c> and closed with 1001, and the
/// process exits 0. (Api/Chat/ApiShutdownTests proves the drain's order on one reply of each kind.)
/// </summary>
[Collection(ReliabilityTestGroup.Name)]
public sealed class ShutdownUnderLoadTests
{
    private static readonly TrafficMix s_mix = new(Rest: 3, Sse: 3, WebSocket: 4, OpenAi: 2, OpenAiStream: 2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SigtermUnderLoadCutsNoReplyAndClosesEverySocketWith1001()
    {
        await using var memory = new MemoryProcess();
        await memory.InitializeAsync();
        await using var ollama = await ReliabilityRun.StartOllamaAsync(Ct);
        // About half a second a reply: most clients have one in flight at any moment.
        ollama.UnscriptedReply = new FakeChatReply { DelayBetweenTokens = TimeSpan.FromMilliseconds(100) };
        await using var api = await ReliabilityRun.StartApiAsync(memory.BaseAddress, ollama, Ct);
        using var traffic = new ChatTraffic(api.BaseAddress);
        using var stop = new CancellationTokenSource();
        var load = traffic.RunAsync(s_mix, stop.Token, Ct, awaitServerClose: true);
        await Task.Delay(TimeSpan.FromSeconds(4), Ct);

        // The clients start no new turn from here on: every turn still running was sent before the signal.
        await stop.CancelAsync();
        var inFlight = traffic.InFlight;
        var signalled = Stopwatch.GetTimestamp();
        var exit = api.TerminateAsync(Ct);
        await load;
        var exitCode = await exit;
        var drained = Stopwatch.GetElapsedTime(signalled);

        var results = traffic.Results.ToList();
        var errors = results.Where(r => r.Outcome is not (TurnOutcome.Ok or TurnOutcome.MemoryUnavailable or TurnOutcome.ShuttingDown)).ToList();
        var closes = traffic.SocketCloses.ToList();
        ReliabilityRun.Report("Fault: SIGTERM to the Api under load", [
            $"{s_mix}, replies of about 0.5 s; {results.Count} turns, {inFlight} in flight at the signal",
            $"cut or failed replies {errors.Count}; refused with 503 while draining {results.Count(r => r.Outcome == TurnOutcome.ShuttingDown)}",
            $"WebSockets told shutdown {traffic.SocketsToldShutdown} of {s_mix.WebSocket}; close statuses: {string.Join(", ", closes.Select(c => c is { } s ? ((int)s).ToString(CultureInfo.InvariantCulture) : "client"))}",
            string.Create(CultureInfo.InvariantCulture, $"exit code {exitCode}, {drained.TotalSeconds:F2} s after SIGTERM"),
            .. errors.Take(5).Select(e => $"error: {e.Channel} {e.Outcome} {e.Detail}"),
        ]);

        Assert.True(inFlight > 0, "replies were in flight at the signal");
        Assert.True(errors.Count == 0, $"{errors.Count} replies were cut or failed, the first: {string.Join("; ", errors.Take(3).Select(e => $"{e.Channel} {e.Outcome} {e.Detail}"))}");
        Assert.Equal(s_mix.WebSocket, traffic.SocketsToldShutdown);
        Assert.Equal(Enumerable.Repeat<WebSocketCloseStatus?>(WebSocketCloseStatus.EndpointUnavailable, s_mix.WebSocket), closes);
        Assert.True(exitCode == 0, $"The Api exited with {exitCode}:\n{string.Join('\n', api.Output)}");
        Assert.Empty(ReliabilityRun.Crashes(api));
    }
}
