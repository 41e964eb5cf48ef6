using System.Collections.Concurrent;
using CsCheck;

namespace Jarvis.Tests.Reliability;

/// <summary>One generated input: its position, the CsCheck seed that regenerates it, and the value.</summary>
/// <remarks>Replay one with <c>gen.Sample(check, seed: Seed, iter: 1)</c>.</remarks>
public sealed record FuzzInput<T>(int Index, string Seed, T Value);

/// <summary>
/// Fixed-seed draws from CsCheck generators: the same inputs, in the same order, on every run and every machine, each
/// with the seed that regenerates it alone. Inputs are then sent a few at a time and every failure is kept.
/// </summary>
public static class FuzzInputs
{
    /// <summary><paramref name="count"/> values of <paramref name="gen"/>, drawn one after another from <paramref name="seed"/>.</summary>
    public static IReadOnlyList<FuzzInput<T>> Draw<T>(Gen<T> gen, string seed, int count)
    {
        var pcg = PCG.Parse(seed);
        var inputs = new List<FuzzInput<T>>(count);
        for (var i = 0; i < count; i++)
        {
            var at = pcg.ToString();
            inputs.Add(new FuzzInput<T>(i, at, gen.Generate(pcg, null, out _)));
        }

        return inputs;
    }

    /// <summary>
    /// Runs <paramref name="check"/> on every input, <paramref name="parallelism"/> at a time. A check returns null when
    /// the answer is acceptable, else what was wrong; a check that throws counts as a failure too (a crash or a dropped
    /// connection shows up that way). Returns the failures, in input order.
    /// </summary>
    public static async Task<IReadOnlyList<string>> RunAsync<T>(
        IReadOnlyList<FuzzInput<T>> inputs, Func<T, CancellationToken, Task<string?>> check, CancellationToken cancellationToken, int parallelism = 4)
    {
        var failures = new ConcurrentBag<(int Index, string Text)>();
        await Parallel.ForEachAsync(inputs, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (input, ct) =>
        {
            string? failure;
            try
            {
                failure = await check(input.Value, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                failure = $"threw {e.GetType().Name}: {e.Message}";
            }

            if (failure is not null)
            {
                failures.Add((input.Index, $"input {input.Index} (seed {input.Seed}): {failure}"));
            }
        });

        return [.. failures.OrderBy(f => f.Index).Select(f => f.Text)];
    }

    /// <summary>The first few failures, for an assertion message.</summary>
    public static string Describe(IReadOnlyList<string> failures, int total) =>
        $"{failures.Count} of {total} inputs failed:\n" + string.Join("\n", failures.Take(10));
}
