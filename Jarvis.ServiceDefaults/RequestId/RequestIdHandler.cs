using Microsoft.AspNetCore.Http;

namespace Jarvis.ServiceDefaults.RequestId;

/// <summary>Carries the current request's id to downstream services in <c>X-Request-ID</c>.</summary>
internal sealed class RequestIdHandler(IHttpContextAccessor accessor) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (accessor.HttpContext is { } context && !request.Headers.Contains(RequestIds.HeaderName))
        {
            request.Headers.TryAddWithoutValidation(RequestIds.HeaderName, context.GetRequestId());
        }

        return base.SendAsync(request, cancellationToken);
    }
}
