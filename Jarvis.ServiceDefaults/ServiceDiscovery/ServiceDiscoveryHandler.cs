namespace Jarvis.ServiceDefaults.ServiceDiscovery;

/// <summary>
/// Replaces a service name in the request URL with a configured endpoint. It sits inside the resilience handler, so
/// every attempt resolves again (and round-robins), and it restores the URL afterwards.
/// </summary>
internal sealed class ServiceDiscoveryHandler(ServiceEndpointResolver resolver) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var original = request.RequestUri;
        if (original is not null)
        {
            request.RequestUri = resolver.Resolve(original);
        }

        try
        {
            return await base.SendAsync(request, cancellationToken);
        }
        finally
        {
            request.RequestUri = original;
        }
    }
}
