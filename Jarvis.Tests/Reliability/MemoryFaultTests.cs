using System.Globalization;
using System.Net.Http.Json;
using Jarvis.Memory.Conversations;
using Jarvis.Tests.Infrastructure;

namespace Jarvis.Tests.Reliability;

/// <summary>
/// Jarvis.Memory (a child process, embedded store) SIGKILLed under chat load, right after it acknowledged a turn: the
/// Api keeps answering every turn, saying memory is unavailable; it uses memory again within 10 s of Memory's restart;
/// and no turn Memory acknowledged before the kill is lost.
/// </summary>
[Collection(ReliabilityTestGroup.Name)]
public sealed class MemoryFaultTests
{
    private static readonly TimeSpan s_recoveryBound = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MemoryKilledUnderLoadLosesNoAcknowledgedTurnAndTheApiRecoversWithinTenSeconds()
    {
        await using var memory = new MemoryProcess();
        await memory.InitializeAsync();
        await using var ollama = await ReliabilityRun.StartOllamaAsync(Ct);
        await using var api = await ReliabilityRun.StartApiAsync(memory.BaseAddress, ollama, Ct);
        using var traffic = new ChatTraffic(api.BaseAddress);
        using var stop = new CancellationTokenSource();
        var load = traffic.RunAsync(new TrafficMix(Rest: 2, Sse: 1, WebSocket: 2, OpenAi: 1, OpenAiStream: 1), stop.Token, Ct);

        // Under load for a while, then SIGKILL the moment a new turn has been acknowledged (writes are in flight then).
        await Task.Delay(TimeSpan.FromSeconds(5), Ct);
        var acknowledgedBefore = Recorded(traffic).Count;
        await Eventually.TrueAsync(() => Task.FromResult(Recorded(traffic).Count > acknowledgedBefore), "a turn to be acknowledged", Ct);
        var killedAt = traffic.Elapsed;
        await memory.KillAsync();

        // Down for longer than the Api's 5 s between tries, so turns both skip memory and try it again and fail.
        await Task.Delay(TimeSpan.FromSeconds(7), Ct);
        var restartedAt = traffic.Elapsed;
        await memory.RestartAsync(Ct);
        var healthyAt = traffic.Elapsed;
        var recovered = await RecoveryAsync(traffic, healthyAt);
        await Task.Delay(TimeSpan.FromSeconds(3), Ct);
        await stop.CancelAsync();
        await load;

        var results = traffic.Results.ToList();
        var errors = results.Where(r => r.Outcome is not (TurnOutcome.Ok or TurnOutcome.MemoryUnavailable)).ToList();
        var whileDown = results.Where(r => Started(r) > killedAt + 0.5 && r.EndedAt < restartedAt).ToList();
        var afterRecovery = results.Where(r => recovered is { } at && Started(r) > at + 1).ToList();
        var acknowledged = Recorded(traffic);
        var lost = await LostAsync(memory, acknowledged);

        ReliabilityRun.Report("Fault: Memory SIGKILLed under load, restarted 7 s later", [
            $"{results.Count} turns; errors {errors.Count}; turns while Memory was down {whileDown.Count}, of which said 'memory is unavailable' {whileDown.Count(r => r.Outcome == TurnOutcome.MemoryUnavailable)}",
            string.Create(CultureInfo.InvariantCulture, $"Memory healthy {healthyAt - restartedAt:F1} s after its restart; the Api used it again {(recovered is { } r ? $"{r - healthyAt:F1} s" : "never")} after that (bound {s_recoveryBound.TotalSeconds:F0} s)"),
            $"acknowledged turns {acknowledged.Count}, lost after the kill and restart {lost.Count}",
            .. errors.Take(5).Select(e => $"error: {e.Channel} {e.Outcome} {e.Detail}"),
            .. lost.Take(5).Select(l => $"lost: {l}"),
        ]);

        Assert.True(errors.Count == 0, $"{errors.Count} turns failed, the first: {string.Join("; ", errors.Take(3).Select(e => $"{e.Channel} {e.Outcome} {e.Detail}"))}");
        Assert.NotEmpty(whileDown);
        Assert.All(whileDown, r => Assert.Equal(TurnOutcome.MemoryUnavailable, r.Outcome));
        Assert.True(recovered is not null, $"the Api did not use memory again within {s_recoveryBound.TotalSeconds} s of its restart");
        Assert.NotEmpty(afterRecovery);
        Assert.All(afterRecovery, r => Assert.Equal(TurnOutcome.Ok, r.Outcome));
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged turns are lost: {string.Join("; ", lost.Take(3))}");
        Assert.Empty(ReliabilityRun.Crashes(api));
    }

    private static double Started(TurnResult turn) => turn.EndedAt - (turn.Milliseconds / 1000);

    /// <summary>Turns whose reply came without the memory note on a channel that records them: Memory acknowledged both writes.</summary>
    private static List<TurnResult> Recorded(ChatTraffic traffic) =>
        [.. traffic.Results.Where(r => r.Outcome == TurnOutcome.Ok && r.Channel is "rest" or "sse" or "ws")];

    /// <summary>When the first turn started after Memory was healthy again used it; null when none did within the bound.</summary>
    private static async Task<double?> RecoveryAsync(ChatTraffic traffic, double healthyAt)
    {
        try
        {
            var first = await Eventually.FindAsync(
                () => traffic.Results.Where(r => Started(r) >= healthyAt && r.Outcome == TurnOutcome.Ok).MinBy(r => r.EndedAt),
                "a turn that uses memory again", Ct, s_recoveryBound);
            return first.EndedAt;
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>The acknowledged turns whose message and reply are not in Memory, one after the other, after its restart.</summary>
    private static async Task<List<string>> LostAsync(MemoryProcess memory, List<TurnResult> acknowledged)
    {
        using var client = memory.CreateClient();
        var lost = new List<string>();
        foreach (var conversation in acknowledged.GroupBy(t => (t.UserId, t.ConversationId)))
        {
            var stored = await client.GetFromJsonAsync<ConversationTurnsResponse>(
                $"/api/conversations/{conversation.Key.ConversationId}/turns?userId={conversation.Key.UserId}&last=500", Ct);
            var turns = stored!.Turns.OrderBy(t => t.Sequence).ToList();
            foreach (var turn in conversation)
            {
                var at = turns.FindIndex(t => t.Role == "user" && t.Text == turn.Message);
                var reply = turn.Detail;
                if (at < 0 || at + 1 >= turns.Count || turns[at + 1].Role != "assistant" || turns[at + 1].Text != reply)
                {
                    lost.Add($"{conversation.Key.ConversationId}: {turn.Message}");
                }
            }
        }

        return lost;
    }
}
