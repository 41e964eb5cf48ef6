using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Jarvis.Memory.Memories;
using Jarvis.Memory.Storage;
using Jarvis.Memory.Storage.Embedded;

// Loads N random L2-normalised vectors (fixed seed) for one user into an EmbeddedMemoryStore in a temporary directory,
// then times top-k exact searches through SearchAsync against a naive scalar loop over the same vectors, in the same run.
// Usage: dotnet run -c Release --project bench/Jarvis.Memory.Benchmarks [-- --count 100000 --dimensions 384
//   --queries 1000 --top 5 --durable 2000 --concurrent 1000 --concurrency 8 --seed 42]
// --durable N stores the first N memories with UpsertAsync one at a time (one fsync'd transaction each), --concurrent N
// the next N with that many UpsertAsync calls in flight; the rest go in through UpsertManyAsync in batches, and the store
// is reopened so its index is rebuilt from disk. --durable 100000 loads all one at a time.
var options = Options.Parse(args);
const string UserId = "bench-user";
var embedder = new EmbedderDescriptor("bench", "random", options.Dimensions);
var directory = Path.Combine(Path.GetTempPath(), "jarvis-memory-bench-" + Guid.NewGuid().ToString("N"));

Report.Line($"Jarvis.Memory embedded store benchmark: {options.Count:N0} memories x {options.Dimensions} dimensions, one user, top-{options.Top}");
Console.WriteLine(Report.Format($"  {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores, ") +
    Report.Format($"SIMD: Vector128 {Vector128Accelerated()}, Vector256 {Vector256Accelerated()}, Vector512 {Vector512Accelerated()}; data in {directory}"));

try
{
    var baseline = Resident.Measure();
    var data = new DataSet(options.Seed, options.Dimensions);
    var results = new List<string>();

    var watch = new Stopwatch();
    using (var writer = EmbeddedMemoryStore.Open(directory))
    {
        // 1. Durable writes through the public API, one at a time: each returns once its transaction is on disk.
        var sequential = data.Next(options.Durable).Select(m => Memory(m.Id, m.Vector, m.Index, embedder.Id)).ToList();
        watch.Restart();
        foreach (var memory in sequential)
        {
            await writer.UpsertAsync(memory, CancellationToken.None);
        }

        watch.Stop();
        var oneAtATime = Rate(sequential.Count, watch.Elapsed);
        results.Add(Report.Format($"  UpsertAsync, one at a time ({sequential.Count:N0}):").PadRight(52) +
            Report.Format($"{Rate(sequential.Count, watch.Elapsed),10:N0} inserts/s  ({watch.Elapsed.TotalMilliseconds / Math.Max(1, sequential.Count):F2} ms each: one fsync'd transaction per write)"));

        // 2. The same API with several calls in flight: the writes queued while a commit syncs share the next one.
        var concurrent = data.Next(options.Concurrent).Select(m => Memory(m.Id, m.Vector, m.Index, embedder.Id)).ToList();
        watch.Restart();
        await Parallel.ForEachAsync(concurrent, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency },
            async (memory, cancellationToken) => await writer.UpsertAsync(memory, cancellationToken));
        watch.Stop();
        results.Add(Report.Format($"  UpsertAsync, {options.Concurrency} concurrent ({concurrent.Count:N0}):").PadRight(52) +
            Report.Format($"{Rate(concurrent.Count, watch.Elapsed),10:N0} inserts/s  ({Rate(concurrent.Count, watch.Elapsed) / oneAtATime:F1}x one at a time: group commits, each write acknowledged after its commit)"));
    }

    // 3. The rest through UpsertManyAsync: batches of 10,000, each one fsync'd transaction, index updated as it goes.
    var remaining = options.Count - options.Durable - options.Concurrent;
    if (remaining > 0)
    {
        using var bulk = EmbeddedMemoryStore.Open(directory);
        var written = 0;
        watch.Reset();
        while (written < remaining)
        {
            var batch = data.Next(Math.Min(10_000, remaining - written)).Select(m => Memory(m.Id, m.Vector, m.Index, embedder.Id)).ToList();
            watch.Start();
            await bulk.UpsertManyAsync(batch, CancellationToken.None);
            watch.Stop();
            written += batch.Count;
        }

        results.Add(Report.Format($"  UpsertManyAsync, batches of 10,000 ({remaining:N0}):").PadRight(52) +
            Report.Format($"{Rate(remaining, watch.Elapsed),10:N0} inserts/s  (one fsync'd transaction per batch, in-memory index included)"));
    }

    // 4. Reopen: the index of every memory is rebuilt from disk, as at service start.
    watch.Restart();
    using var store = EmbeddedMemoryStore.Open(directory);
    watch.Stop();
    var reopen = watch.Elapsed;
    var count = await store.CountAsync(CancellationToken.None);
    if (count != options.Count)
    {
        throw new InvalidOperationException(Report.Format($"The store holds {count} memories, not {options.Count}."));
    }

    results.Add(Report.Format($"  EmbeddedMemoryStore.Open, index rebuilt ({count:N0}):").PadRight(52) +
        Report.Format($"{Rate(count, reopen),10:N0} memories/s  ({reopen.TotalSeconds:F2} s to read them from disk and index them)"));

    Resident.Collect();
    var loaded = Resident.Measure();

    // 5. Searches through the public API. Queries come from their own seed; a few untimed ones warm the JIT up.
    var queries = DataSet.Queries(options.Seed + 1, options.Queries, options.Dimensions);
    var warmUp = DataSet.Queries(options.Seed + 2, Options.WarmUp, options.Dimensions);
    foreach (var query in warmUp)
    {
        await store.SearchAsync(UserId, embedder, query, options.Top, [], CancellationToken.None);
    }

    var storeLatencies = new double[queries.Length];
    var storeTop = new List<Guid[]>();
    var storeCpu = Environment.CpuUsage.TotalTime;
    for (var i = 0; i < queries.Length; i++)
    {
        var start = Stopwatch.GetTimestamp();
        var matches = await store.SearchAsync(UserId, embedder, queries[i], options.Top, [], CancellationToken.None);
        storeLatencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (i < Options.Compared)
        {
            storeTop.Add([.. matches.Select(m => m.Memory.Id)]);
        }
    }

    storeCpu = Environment.CpuUsage.TotalTime - storeCpu;

    // 6. The naive baseline on a copy of the same vectors (regenerated from the seed, one float[] per memory).
    var naive = new DataSet(options.Seed, options.Dimensions).Next(options.Count).ToArray();
    var vectors = naive.Select(m => m.Vector).ToArray();
    foreach (var query in warmUp.Take(5))
    {
        NaiveSearch.Top(vectors, query, options.Top);
    }

    var naiveLatencies = new double[queries.Length];
    var mismatches = 0;
    var naiveCpu = Environment.CpuUsage.TotalTime;
    for (var i = 0; i < queries.Length; i++)
    {
        var start = Stopwatch.GetTimestamp();
        var top = NaiveSearch.Top(vectors, queries[i], options.Top);
        naiveLatencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (i < Options.Compared && !top.Select(slot => naive[slot].Id).SequenceEqual(storeTop[i]))
        {
            mismatches++;
        }
    }

    naiveCpu = Environment.CpuUsage.TotalTime - naiveCpu;

    var storeStats = Percentiles.Of(storeLatencies, storeCpu);
    var naiveStats = Percentiles.Of(naiveLatencies, naiveCpu);
    var vectorBytes = (double)options.Count * options.Dimensions * sizeof(float);

    Report.Line($"");
    Report.Line($"Load");
    foreach (var line in results)
    {
        Console.WriteLine(line);
    }

    Report.Line($"Resident memory after loading (store only, after a full GC; the naive copy is made later)");
    Report.Line($"  VmRSS {Mb(loaded.Rss):F0} MB (process before opening the store: {Mb(baseline.Rss):F0} MB), Environment.WorkingSet {Mb(loaded.WorkingSet):F0} MB");
    Report.Line($"  GC heap {Mb(loaded.Heap):F0} MB; the raw vectors alone are {Mb(vectorBytes):F0} MB");
    Report.Line($"Search: {queries.Length:N0} random queries, top-{options.Top} over one user's {count:N0} memories (after {Options.WarmUp} untimed)");
    Report.Line($"  SearchAsync (SIMD, exact):    {storeStats}");
    Report.Line($"  naive scalar loop (float[]):  {naiveStats}");
    Report.Line($"  naive / SearchAsync:          p50 {naiveStats.P50 / storeStats.P50:F1}x, p99 {naiveStats.P99 / storeStats.P99:F1}x");
    Report.Line($"  same top-{options.Top} ids (in order) on the first {Math.Min(Options.Compared, queries.Length)} queries: {mismatches} mismatch(es)");
    Report.Line($"Target exact search p50 <= 10 ms on 2 cores: {(storeStats.P50 <= 10 ? "met" : "NOT met")} (p50 {storeStats.P50:F2} ms)");
}
finally
{
    if (Directory.Exists(directory))
    {
        Directory.Delete(directory, recursive: true);
    }
}

static StoredMemory Memory(Guid id, float[] vector, int index, string embedderId) =>
    new(new MemoryRecord(id, UserId, Text(index), MemoryKind.Fact, 0.5, [], Created(index), Created(index), embedderId), vector);

static string Text(int index) => "benchmark memory " + index.ToString(CultureInfo.InvariantCulture);

static DateTimeOffset Created(int index) => new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(index);

static double Rate(long count, TimeSpan elapsed) => count / elapsed.TotalSeconds;

static double Mb(double bytes) => bytes / (1024 * 1024);

static string Vector128Accelerated() => Vector128.IsHardwareAccelerated ? "yes" : "no";

static string Vector256Accelerated() => Vector256.IsHardwareAccelerated ? "yes" : "no";

static string Vector512Accelerated() => Vector512.IsHardwareAccelerated ? "yes" : "no";

/// <summary>The command line: <c>--name value</c> pairs, all optional.</summary>
internal sealed record Options(int Count, int Dimensions, int Queries, int Top, int Durable, int Concurrent, int Concurrency, int Seed)
{
    public const int WarmUp = 50;
    public const int Compared = 50;

    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["count"] = 100_000, ["dimensions"] = 384, ["queries"] = 1_000, ["top"] = 5,
            ["durable"] = 2_000, ["concurrent"] = 1_000, ["concurrency"] = 8, ["seed"] = 42,
        };
        for (var i = 0; i < args.Length; i += 2)
        {
            var name = args[i].TrimStart('-');
            if (!values.ContainsKey(name) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Unknown or valueless option '{args[i]}'; known: {string.Join(", ", values.Keys.Select(k => "--" + k))}.");
            }

            values[name] = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
        }

        var options = new Options(values["count"], values["dimensions"], values["queries"], values["top"],
            Math.Min(values["durable"], values["count"]), 0, values["concurrency"], values["seed"]);
        return options with { Concurrent = Math.Min(values["concurrent"], options.Count - options.Durable) };
    }
}

/// <summary>Random unit vectors (Gaussian components, then L2-normalised: uniform on the sphere) and ids, from a seed.</summary>
internal sealed class DataSet(int seed, int dimensions)
{
    private readonly Random _random = new(seed);
    private int _index;

    public IEnumerable<(int Index, Guid Id, float[] Vector)> Next(int count)
    {
        var bytes = new byte[16];
        for (var i = 0; i < count; i++)
        {
            _random.NextBytes(bytes);
            yield return (_index++, new Guid(bytes), UnitVector(_random, dimensions));
        }
    }

    public static float[][] Queries(int seed, int count, int dimensions)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => UnitVector(random, dimensions))];
    }

    private static float[] UnitVector(Random random, int dimensions)
    {
        var vector = new float[dimensions];
        double sum = 0;
        for (var i = 0; i < dimensions; i++)
        {
            // Box-Muller: a standard normal from two uniforms.
            var value = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            vector[i] = (float)value;
            sum += value * value;
        }

        var norm = (float)Math.Sqrt(sum);
        for (var i = 0; i < dimensions; i++)
        {
            vector[i] /= norm;
        }

        return vector;
    }
}

/// <summary>The baseline: a plain scalar loop over one float[] per memory, keeping the best k in a sorted array.</summary>
internal static class NaiveSearch
{
    public static int[] Top(float[][] vectors, float[] query, int k)
    {
        var slots = new int[k];
        var scores = new float[k];
        Array.Fill(scores, float.NegativeInfinity);
        for (var slot = 0; slot < vectors.Length; slot++)
        {
            var vector = vectors[slot];
            var dot = 0f;
            for (var i = 0; i < vector.Length; i++)
            {
                dot += vector[i] * query[i];
            }

            if (dot <= scores[k - 1])
            {
                continue;
            }

            // Insertion into the sorted best-k, best first.
            var at = k - 1;
            while (at > 0 && scores[at - 1] < dot)
            {
                scores[at] = scores[at - 1];
                slots[at] = slots[at - 1];
                at--;
            }

            scores[at] = dot;
            slots[at] = slot;
        }

        return slots;
    }
}

/// <summary>Latency percentiles in milliseconds (nearest rank).</summary>
/// <remarks>
/// <see cref="Cpu"/> is the process's CPU time per query over the run: on a machine busy with other work it stays near
/// the uncontended latency while the wall-clock percentiles grow.
/// </remarks>
internal sealed record Percentiles(double P50, double P95, double P99, double Max, double Mean, double Cpu)
{
    public static Percentiles Of(double[] milliseconds, TimeSpan cpu)
    {
        var sorted = milliseconds.Order().ToArray();
        double At(double percentile) => sorted[Math.Max(0, (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1)];
        return new Percentiles(At(50), At(95), At(99), sorted[^1], sorted.Average(), cpu.TotalMilliseconds / sorted.Length);
    }

    public override string ToString() =>
        Report.Format($"p50 {P50,7:F2} ms  p95 {P95,7:F2} ms  p99 {P99,7:F2} ms  max {Max,7:F2} ms  mean {Mean,7:F2} ms  (CPU {Cpu:F2} ms/query)");
}

/// <summary>Resident set size (VmRSS), Environment.WorkingSet and the managed heap.</summary>
internal sealed record Resident(double Rss, double WorkingSet, double Heap)
{
    public static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    public static Resident Measure()
    {
        var rss = File.Exists("/proc/self/status")
            ? File.ReadLines("/proc/self/status")
                .Where(line => line.StartsWith("VmRSS:", StringComparison.Ordinal))
                .Select(line => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024.0)
                .FirstOrDefault(double.NaN)
            : double.NaN;
        return new Resident(rss, Environment.WorkingSet, GC.GetTotalMemory(forceFullCollection: false));
    }
}

/// <summary>Invariant-culture output.</summary>
internal static class Report
{
    public static string Format(FormattableString text) => FormattableString.Invariant(text);

    public static void Line(FormattableString text) => Console.WriteLine(Format(text));
}
