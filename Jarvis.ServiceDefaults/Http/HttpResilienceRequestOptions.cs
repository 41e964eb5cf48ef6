using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Jarvis.ServiceDefaults.Http;

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
        ArgumentNullException.ThrowIfNull(request);
        request.Options.Set(DisableRetry, true);
        return request;
    }

    internal static bool IsRetryDisabled(this HttpRequestMessage request) =>
        request.Options.TryGetValue(DisableRetry, out var disabled) && disabled;

    /// <summary>Makes the retry strategy of <paramref name="options"/> leave alone every request marked <see cref="WithoutRetry"/>.</summary>
    internal static void HonourWithoutRetry(HttpStandardResilienceOptions options)
    {
        var shouldHandle = options.Retry.ShouldHandle;

        // GetRequestMessage is experimental (EXTEXP0001); it is how the library's own strategies find the request, and
        // an exception outcome (a refused connection) carries no response to find it through.
#pragma warning disable EXTEXP0001
        options.Retry.ShouldHandle = args => args.Context.GetRequestMessage()?.IsRetryDisabled() == true
            ? ValueTask.FromResult(false)
            : shouldHandle(args);
#pragma warning restore EXTEXP0001
    }
}
