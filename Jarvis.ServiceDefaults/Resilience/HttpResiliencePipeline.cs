using System.Threading.RateLimiting;
using Polly;

namespace Jarvis.ServiceDefaults.Resilience;

/// <summary>One client's pipeline and concurrency limiter, shared by every handler of that client so breaker state survives handler rotation.</summary>
internal sealed class HttpResiliencePipeline(string clientName, ResiliencePipeline<HttpResponseMessage> pipeline, ConcurrencyLimiter limiter) : IDisposable
{
    public string ClientName { get; } = clientName;

    public ResiliencePipeline<HttpResponseMessage> Pipeline { get; } = pipeline;

    public ConcurrencyLimiter Limiter { get; } = limiter;

    public void Dispose() => Limiter.Dispose();
}
