namespace Jarvis.ServiceDefaults.Resilience;

/// <summary>The circuit breaker: opens when transient failures pass a ratio of the sampled calls.</summary>
public sealed class HttpCircuitBreakerOptions
{
    /// <summary>The failure ratio that opens the circuit (default 0.1).</summary>
    public double FailureRatio { get; set; } = 0.1;

    /// <summary>The window calls are sampled over (default 30 s).</summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Calls in the window before the ratio counts (default 100).</summary>
    public int MinimumThroughput { get; set; } = 100;

    /// <summary>How long the circuit stays open (default 5 s).</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);
}
