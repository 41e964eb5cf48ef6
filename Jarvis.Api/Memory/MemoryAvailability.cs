namespace Jarvis.Api.Memory;

/// <summary>
/// Whether a turn should try memory's implicit calls (recall, history, record) now. Once memory fails, turns skip them
/// for <see cref="RetryInterval"/>, then a single turn tries again: a memory service that is down costs turns nothing
/// (no call, no exception, no log line each) and its state change is logged once, not once per turn. Explicit memory
/// requests (the tools, "remember that …") always try; their failure is their answer.
/// </summary>
public sealed partial class MemoryAvailability(TimeProvider timeProvider, ILogger<MemoryAvailability> logger)
{
    /// <summary>How long turns go without memory after it failed before one tries again (the circuit breaker's default break).</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(5);

    // 0 while memory answers; otherwise when the next turn may try it (TimeProvider timestamp).
    private long _retryAt;

    /// <summary>True when memory answered last, or when this caller is the one turn that tries it again.</summary>
    public bool ShouldTry()
    {
        var retryAt = Volatile.Read(ref _retryAt);
        if (retryAt == 0)
        {
            return true;
        }

        var now = timeProvider.GetTimestamp();
        return now >= retryAt && Interlocked.CompareExchange(ref _retryAt, now + Interval, retryAt) == retryAt;
    }

    /// <summary>Memory failed: turns skip it for a while; the first failure after it answered is logged.</summary>
    public void Failed(string reason)
    {
        if (Interlocked.Exchange(ref _retryAt, timeProvider.GetTimestamp() + Interval) == 0)
        {
            LogUnavailable(logger, RetryInterval.TotalSeconds, reason);
        }
    }

    /// <summary>Memory answered: turns use it again; logged when it had been unavailable.</summary>
    public void Succeeded()
    {
        if (Volatile.Read(ref _retryAt) != 0 && Interlocked.Exchange(ref _retryAt, 0) != 0)
        {
            LogAvailable(logger);
        }
    }

    private long Interval => (long)(RetryInterval.TotalSeconds * timeProvider.TimestampFrequency);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Memory is unavailable; turns go on without it and try again every {RetrySeconds} s: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, double retrySeconds, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Memory answers again; turns use it.")]
    private static partial void LogAvailable(ILogger logger);
}
