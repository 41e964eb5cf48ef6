using System.Diagnostics;
using Jarvis.Tests.Infrastructure;

namespace Jarvis.Tests.Reliability;

/// <summary>Samples a process's resident set size (VmRSS) every <c>interval</c> until disposed.</summary>
public sealed class RssSampler : IAsyncDisposable
{
    private readonly List<(double At, long Bytes)> _samples = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public RssSampler(int pid, TimeSpan interval)
    {
        var clock = Stopwatch.StartNew();
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var bytes = LinuxProcesses.ResidentBytes(pid);
                    lock (_lock)
                    {
                        _samples.Add((clock.Elapsed.TotalSeconds, bytes));
                    }
                }
                catch (Exception e) when (e is IOException or InvalidOperationException)
                {
                    // The process has gone (a fault test): no more samples.
                    return;
                }

                await Task.Delay(interval, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        });
    }

    /// <summary>The samples taken from <paramref name="from"/> seconds (after the sampler started) to <paramref name="to"/>.</summary>
    public long[] Between(double from, double to)
    {
        lock (_lock)
        {
            return [.. _samples.Where(s => s.At >= from && s.At < to).Select(s => s.Bytes)];
        }
    }

    /// <summary>The median of <paramref name="samples"/>: robust to the sawtooth of a garbage-collected heap.</summary>
    public static double Median(long[] samples)
    {
        if (samples.Length == 0)
        {
            return double.NaN;
        }

        var sorted = samples.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2.0;
    }

    /// <summary>The median of <paramref name="count"/> samples of <paramref name="pid"/>, <paramref name="interval"/> apart.</summary>
    public static async Task<double> MedianAsync(int pid, int count, TimeSpan interval, CancellationToken cancellationToken)
    {
        var samples = new long[count];
        for (var i = 0; i < count; i++)
        {
            samples[i] = LinuxProcesses.ResidentBytes(pid);
            await Task.Delay(interval, cancellationToken);
        }

        return Median(samples);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
