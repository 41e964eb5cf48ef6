namespace Jarvis.ServiceDefaults.Resilience;

/// <summary>Per-request switches of the standard resilience pipeline.</summary>
public static class HttpResilienceRequestOptions
{
    /// <summary>Set to true on a request that must never be sent twice.</summary>
    public static readonly HttpRequestOptionsKey<bool> DisableRetry = new("Jarvis.Resilience.DisableRetry");

    /// <summary>
    /// Sends <paramref name="request"/> at most once. Streaming calls need no switch to avoid a retry once the response
    /// has started: the pipeline ends when the headers arrive (<see cref="HttpCompletionOption.ResponseHeadersRead"/>),
    /// so a failure while reading the body is the caller's to handle and is never retried.
    /// </summary>
    public static HttpRequestMessage WithoutRetry(this HttpRequestMessage request)
    {
        request.Options.Set(DisableRetry, true);
        return request;
    }
}
