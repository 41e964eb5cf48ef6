namespace Jarvis.ServiceDefaults.Resilience;

/// <summary>
/// The standard resilience pipeline of an <see cref="HttpClient"/>, with the defaults of
/// Microsoft.Extensions.Http.Resilience's standard handler. Bound from <c>HttpResilience</c> for every client and from
/// <c>HttpResilience:Clients:NAME</c> for the client named NAME; code can change a client's options with
/// <see cref="Microsoft.Extensions.DependencyInjection.HttpResilienceHttpClientBuilderExtensions.ConfigureResilience"/>.
/// </summary>
/// <remarks>Strategies run in this order, outermost first: concurrency limit, total timeout, retry, circuit breaker, attempt timeout.</remarks>
public sealed class HttpResilienceOptions
{
    /// <summary>The configuration section every client's options are bound from.</summary>
    public const string SectionName = "HttpResilience";

    /// <summary>False leaves the client without any resilience handler.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>At most this many requests of the client run at once; more are rejected (default 1000, no queue).</summary>
    public int MaxConcurrentRequests { get; set; } = 1000;

    /// <summary>The time one call may take, every attempt and delay included (default 30 s).</summary>
    public TimeSpan TotalRequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The time one attempt may take (default 10 s).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of transient failures.</summary>
    public HttpRetryOptions Retry { get; set; } = new();

    /// <summary>The circuit breaker.</summary>
    public HttpCircuitBreakerOptions CircuitBreaker { get; set; } = new();

    /// <summary>Every problem with these options, in words; empty when they are valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (MaxConcurrentRequests < 1)
        {
            yield return $"{nameof(MaxConcurrentRequests)} must be at least 1.";
        }

        if (TotalRequestTimeout <= TimeSpan.Zero || AttemptTimeout <= TimeSpan.Zero)
        {
            yield return $"{nameof(TotalRequestTimeout)} and {nameof(AttemptTimeout)} must be positive.";
        }

        if (AttemptTimeout > TotalRequestTimeout)
        {
            yield return $"{nameof(AttemptTimeout)} ({AttemptTimeout}) must not exceed {nameof(TotalRequestTimeout)} ({TotalRequestTimeout}).";
        }

        if (Retry.MaxRetryAttempts is < 0 or > 100)
        {
            yield return "Retry:MaxRetryAttempts must be between 0 and 100.";
        }

        if (Retry.Delay < TimeSpan.Zero)
        {
            yield return "Retry:Delay must not be negative.";
        }

        if (CircuitBreaker.FailureRatio is <= 0 or > 1)
        {
            yield return "CircuitBreaker:FailureRatio must be greater than 0 and at most 1.";
        }

        if (CircuitBreaker.MinimumThroughput < 2)
        {
            yield return "CircuitBreaker:MinimumThroughput must be at least 2.";
        }

        if (CircuitBreaker.SamplingDuration < TimeSpan.FromMilliseconds(500) || CircuitBreaker.BreakDuration < TimeSpan.FromMilliseconds(500))
        {
            yield return "CircuitBreaker:SamplingDuration and CircuitBreaker:BreakDuration must be at least 0.5 s.";
        }

        if (CircuitBreaker.SamplingDuration < AttemptTimeout * 2)
        {
            yield return "CircuitBreaker:SamplingDuration must be at least twice AttemptTimeout, or slow failures are never sampled together.";
        }
    }
}
