namespace Jarvis.ServiceDefaults.Http;

/// <summary>
/// Buffers a request's body before the resilience handler sends it, so a retry resends it intact: the library resends
/// the same <see cref="HttpRequestMessage"/>, and a body that can be read once (a forward-only stream) would be gone.
/// A request marked <see cref="HttpResilienceRequestOptions.WithoutRetry"/> is sent once and streams unbuffered.
/// </summary>
internal sealed class RequestBodyBufferingHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null && !request.IsRetryDisabled())
        {
            await request.Content.LoadIntoBufferAsync(cancellationToken);
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
