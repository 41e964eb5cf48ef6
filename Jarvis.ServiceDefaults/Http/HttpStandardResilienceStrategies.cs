using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Jarvis.ServiceDefaults.Http;

internal static class HttpStandardResilienceStrategies
{
    /// <summary>
    /// The strategies of Microsoft.Extensions.Http.Resilience's standard pipeline, in its order: concurrency limit, total
    /// timeout, retry, circuit breaker, attempt timeout. <c>AddStandardResilienceHandler()</c> composes them the same way.
    /// </summary>
    public static ResiliencePipelineBuilder<HttpResponseMessage> AddStandardStrategies(
        this ResiliencePipelineBuilder<HttpResponseMessage> pipeline, HttpStandardResilienceOptions options)
    {
        pipeline.AddRateLimiter(options.RateLimiter).AddTimeout(options.TotalRequestTimeout);

        // The library's retry budget is experimental (EXTEXP0001); its standard handler applies one only when it is set.
#pragma warning disable EXTEXP0001
        if (options.Retry.RetryBudget is null)
        {
            pipeline.AddRetry(options.Retry);
        }
        else
        {
            pipeline.AddRetryWithBudget(options.Retry);
        }
#pragma warning restore EXTEXP0001

        return pipeline.AddCircuitBreaker(options.CircuitBreaker).AddTimeout(options.AttemptTimeout);
    }
}
