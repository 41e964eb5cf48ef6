using Polly;

namespace Jarvis.ServiceDefaults.Resilience;

/// <summary>Retry of transient failures: 5xx, 408, 429, connection failures and attempt timeouts.</summary>
public sealed class HttpRetryOptions
{
    /// <summary>Retries after the first attempt (default 3).</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>The base delay (default 2 s).</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How the delay grows (default exponential).</summary>
    public DelayBackoffType BackoffType { get; set; } = DelayBackoffType.Exponential;

    /// <summary>Whether delays are jittered (default true).</summary>
    public bool UseJitter { get; set; } = true;

    /// <summary>Whether a <c>Retry-After</c> header sets the delay (default true).</summary>
    public bool ShouldRetryAfterHeader { get; set; } = true;
}
