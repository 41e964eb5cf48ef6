using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Jarvis.ServiceDefaults.Resilience;

/// <summary>Builds each named client's standard pipeline once, from that client's <see cref="HttpResilienceOptions"/>.</summary>
internal sealed class HttpResiliencePipelines(
    IOptionsMonitor<HttpResilienceOptions> options,
    ResilienceMetrics metrics,
    ILogger<HttpResiliencePipelines> logger,
    TimeProvider timeProvider) : IDisposable
{
    internal static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("Jarvis.Resilience.Request");
    internal static readonly ResiliencePropertyKey<bool> RetryDisabledKey = new("Jarvis.Resilience.RetryDisabled");

    private readonly ConcurrentDictionary<string, Lazy<HttpResiliencePipeline>> _pipelines = new(StringComparer.Ordinal);

    public HttpResiliencePipeline Get(string clientName) =>
        _pipelines.GetOrAdd(clientName, name => new Lazy<HttpResiliencePipeline>(() => Create(name))).Value;

    private HttpResiliencePipeline Create(string clientName)
    {
        var settings = options.Get(clientName);
        var name = string.IsNullOrEmpty(clientName) ? "default" : clientName;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { Name = name, TimeProvider = timeProvider };

        builder.AddTimeout(new TimeoutStrategyOptions
        {
            Name = "TotalRequestTimeout",
            Timeout = settings.TotalRequestTimeout,
            OnTimeout = args => OnTimeout(name, "TotalRequestTimeout", args.Timeout),
        });

        if (settings.Retry.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                Name = "Retry",
                MaxRetryAttempts = settings.Retry.MaxRetryAttempts,
                Delay = settings.Retry.Delay,
                BackoffType = settings.Retry.BackoffType,
                UseJitter = settings.Retry.UseJitter,
                ShouldHandle = args => ValueTask.FromResult(
                    !args.Context.Properties.GetValue(RetryDisabledKey, false) && HttpTransientOutcomes.IsTransient(args.Outcome)),
                DelayGenerator = args => ValueTask.FromResult(
                    settings.Retry.ShouldRetryAfterHeader ? HttpTransientOutcomes.RetryAfter(args.Outcome.Result, timeProvider) : null),
                OnRetry = args =>
                {
                    var request = args.Context.Properties.GetValue(RequestKey, null!);
                    ServiceDefaultsLog.Retrying(
                        logger, name, args.AttemptNumber + 1, request?.Method.Method ?? "?",
                        request?.RequestUri?.GetLeftPart(UriPartial.Path), args.RetryDelay.TotalMilliseconds, Describe(args.Outcome));
                    metrics.Record("OnRetry", "Warning", name, "Retry");
                    return default;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            Name = "CircuitBreaker",
            FailureRatio = settings.CircuitBreaker.FailureRatio,
            SamplingDuration = settings.CircuitBreaker.SamplingDuration,
            MinimumThroughput = settings.CircuitBreaker.MinimumThroughput,
            BreakDuration = settings.CircuitBreaker.BreakDuration,
            ShouldHandle = args => ValueTask.FromResult(HttpTransientOutcomes.IsTransient(args.Outcome)),
            OnOpened = args =>
            {
                ServiceDefaultsLog.CircuitOpened(logger, name, args.BreakDuration.TotalSeconds, Describe(args.Outcome));
                metrics.Record("OnCircuitOpened", "Error", name, "CircuitBreaker");
                return default;
            },
            OnHalfOpened = _ =>
            {
                ServiceDefaultsLog.CircuitHalfOpened(logger, name);
                metrics.Record("OnCircuitHalfOpened", "Warning", name, "CircuitBreaker");
                return default;
            },
            OnClosed = _ =>
            {
                ServiceDefaultsLog.CircuitClosed(logger, name);
                metrics.Record("OnCircuitClosed", "Information", name, "CircuitBreaker");
                return default;
            },
        });

        builder.AddTimeout(new TimeoutStrategyOptions
        {
            Name = "AttemptTimeout",
            Timeout = settings.AttemptTimeout,
            OnTimeout = args => OnTimeout(name, "AttemptTimeout", args.Timeout),
        });

        var limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = settings.MaxConcurrentRequests,
            QueueLimit = 0,
        });

        return new HttpResiliencePipeline(name, builder.Build(), limiter);
    }

    private ValueTask OnTimeout(string clientName, string strategy, TimeSpan timeout)
    {
        ServiceDefaultsLog.TimedOut(logger, clientName, strategy, timeout.TotalSeconds);
        metrics.Record("OnTimeout", "Error", clientName, strategy);
        return default;
    }

    private static string Describe(Outcome<HttpResponseMessage> outcome) => outcome.Exception is { } exception
        ? $"{exception.GetType().Name}: {exception.Message}"
        : $"status {(int?)outcome.Result?.StatusCode}";

    public void Dispose()
    {
        foreach (var pipeline in _pipelines.Values.Where(p => p.IsValueCreated))
        {
            pipeline.Value.Dispose();
        }
    }
}
