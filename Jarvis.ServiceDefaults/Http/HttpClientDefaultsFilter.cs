using Jarvis.ServiceDefaults.RequestId;
using Jarvis.ServiceDefaults.Resilience;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace Jarvis.ServiceDefaults.Http;

/// <summary>
/// Gives every client made by <see cref="IHttpClientFactory"/> the same handlers, outermost first: the request id,
/// the standard resilience pipeline (unless the client's options switch it off); service discovery's handler
/// (Microsoft.Extensions.ServiceDiscovery, added by <c>ConfigureHttpClientDefaults</c>) comes after them.
/// </summary>
internal sealed class HttpClientDefaultsFilter(
    IHttpContextAccessor httpContextAccessor,
    HttpResiliencePipelines pipelines,
    IOptionsMonitor<HttpResilienceOptions> resilienceOptions) : IHttpMessageHandlerBuilderFilter
{
    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) => builder =>
    {
        next(builder);

        var name = builder.Name ?? Options.DefaultName;
        var handlers = builder.AdditionalHandlers;
        handlers.Insert(0, new RequestIdHandler(httpContextAccessor));
        if (resilienceOptions.Get(name).Enabled)
        {
            handlers.Insert(1, new ResilienceHandler(pipelines.Get(name)));
        }
    };
}
