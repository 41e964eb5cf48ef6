using System.Globalization;
using Jarvis.Tests.Infrastructure;

namespace Jarvis.Tests.Reliability;

/// <summary>
/// Mixed chat traffic (REST, server-sent events, WebSocket, OpenAI-compatible, plain and streaming) from several clients
/// against the real Jarvis.Api and Jarvis.Memory (child processes) and the fake Ollama, for
/// <see cref="ReliabilityRun.Duration"/>: no turn fails, the Api's resident memory stays flat after the warm-up, and the
/// latencies are reported (never asserted).
/// </summary>
[Collection(ReliabilityTestGroup.Name)]
public sealed class LoadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MixedTrafficHasNoErrorsAndTheApisMemoryStaysFlat()
    {
        var duration = ReliabilityRun.Duration;
        // Tiered JIT, the thread pool and the GC's heap sizing settle in the first 10 s under load (README, api-chat.sh).
        var warmUp = TimeSpan.FromSeconds(Math.Max(10, duration.TotalSeconds / 5));
        await using var memory = new MemoryProcess();
        await memory.InitializeAsync();
        await using var ollama = await ReliabilityRun.StartOllamaAsync(Ct);
        await using var api = await ReliabilityRun.StartApiAsync(memory.BaseAddress, ollama, Ct);
        using var traffic = new ChatTraffic(api.BaseAddress);
        await using var apiRss = new RssSampler(api.Pid, TimeSpan.FromMilliseconds(500));
        await using var memoryRss = new RssSampler(memory.Process.Pid, TimeSpan.FromMilliseconds(500));
        using var stop = new CancellationTokenSource(duration);

        var started = traffic.Elapsed;
        await traffic.RunAsync(TrafficMix.Mixed, stop.Token, Ct);

        var measured = traffic.Results.Where(r => r.EndedAt - started >= warmUp.TotalSeconds).ToList();
        var all = traffic.Results.ToList();
        var errors = all.Where(r => r.Outcome is not (TurnOutcome.Ok or TurnOutcome.RateLimited)).ToList();
        var seconds = (duration - warmUp).TotalSeconds;
        // The RSS is compared over the measured part only: its first half against its second half, each by its median.
        var half = warmUp.TotalSeconds + (seconds / 2);
        var (apiFirst, apiSecond) = (RssSampler.Median(apiRss.Between(warmUp.TotalSeconds, half)), RssSampler.Median(apiRss.Between(half, duration.TotalSeconds)));
        var (memoryFirst, memorySecond) = (RssSampler.Median(memoryRss.Between(warmUp.TotalSeconds, half)), RssSampler.Median(memoryRss.Between(half, duration.TotalSeconds)));
        var apiChange = (apiSecond / apiFirst) - 1;

        // ±10 % is the goal, and holds over minutes (bench/reliability.sh). Halves of 10 s (the 30 s CI run) are within
        // the heap's own swing on a busy 2-core machine, so there the bound is ±20 %: it still catches a leak of about
        // 10 KB a turn, not a slow one, which only the long run can show.
        var bound = seconds >= 120 ? 0.10 : 0.20;
        var turns = measured.Count(r => r.Channel != "ws-connect");

        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"{TrafficMix.Mixed}, {duration.TotalSeconds:F0} s ({warmUp.TotalSeconds:F0} s warm-up), live Jarvis.Memory, fake Ollama, {Environment.ProcessorCount} cores"),
            string.Create(CultureInfo.InvariantCulture, $"turns after warm-up {turns} ({turns / seconds:F0}/s), all {all.Count}; errors {errors.Count}, 429s {all.Count(r => r.Outcome == TurnOutcome.RateLimited)}"),
        };
        foreach (var channel in measured.Where(r => r.Channel != "ws-connect").GroupBy(r => r.Channel).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{channel.Key,-14} {channel.Count(),7} turns  {ReliabilityRun.Percentiles(channel.Select(r => r.Milliseconds))}"));
        }

        lines.Add(string.Create(CultureInfo.InvariantCulture, $"{"all",-14} {turns,7} turns  {ReliabilityRun.Percentiles(measured.Where(r => r.Channel != "ws-connect").Select(r => r.Milliseconds))}"));
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"Api RSS after warm-up: median {ReliabilityRun.Megabytes(apiFirst)} in the first half, {ReliabilityRun.Megabytes(apiSecond)} in the second ({apiChange:+0.0%;-0.0%}, asserted within ±{bound:P0}); range {ReliabilityRun.Megabytes(apiRss.Between(warmUp.TotalSeconds, duration.TotalSeconds).Min())} to {ReliabilityRun.Megabytes(apiRss.Between(warmUp.TotalSeconds, duration.TotalSeconds).Max())}"));
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"Memory RSS (not asserted: it holds every recorded turn): {ReliabilityRun.Megabytes(memoryFirst)} then {ReliabilityRun.Megabytes(memorySecond)} ({(memorySecond / memoryFirst) - 1:+0.0%;-0.0%})"));
        lines.AddRange(errors.Take(5).Select(e => $"error: {e.Channel} {e.Outcome} {e.Detail}"));
        ReliabilityRun.Report("Load: mixed REST, WebSocket and OpenAI-compatible traffic", lines);

        Assert.True(errors.Count == 0, $"{errors.Count} turns failed, the first: {string.Join("; ", errors.Take(3).Select(e => $"{e.Channel} {e.Outcome} {e.Detail}"))}");
        Assert.True(turns > 100, $"only {turns} turns after the warm-up");
        Assert.True(Math.Abs(apiChange) <= bound, $"the Api's RSS moved {apiChange:P1} between the halves of the measured load ({ReliabilityRun.Megabytes(apiFirst)} → {ReliabilityRun.Megabytes(apiSecond)}), over ±{bound:P0}");
        Assert.Empty(ReliabilityRun.Crashes(api));
    }
}
