using Jarvis.ServiceDefaults.RequestId;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly.Registry;

namespace Jarvis.ServiceDefaults.Http;

/// <summary>
/// Gives every client made by <see cref="IHttpClientFactory"/> the same handlers, outermost first: the request id,
/// request-body buffering, and Microsoft.Extensions.Http.Resilience's <see cref="ResilienceHandler"/> over the client's
/// own standard pipeline; service discovery's handler and the client's own handlers come after them.
/// </summary>
/// <remarks>
/// <c>ConfigureHttpClientDefaults(http =&gt; http.AddStandardResilienceHandler())</c>, as in the Aspire template, gets a
/// builder without a client name, so every client would share one pipeline and one options instance named
/// <c>-standard</c>: one circuit breaker and one concurrency limit for all (dotnet/extensions#5021). Here the filter
/// knows the name, so each client gets the pipeline <c>AddStandardResilienceHandler()</c> would have built for it:
/// named <c>NAME-standard</c>, from the options named <c>NAME-standard</c>, composed in the library's order.
/// The handlers are added before the client's own configuration runs, so <c>RemoveAllResilienceHandlers()</c> works.
/// </remarks>
internal sealed class HttpClientDefaultsFilter(
    IHttpContextAccessor httpContextAccessor,
    ResiliencePipelineRegistry<string> pipelines,
    IOptionsMonitor<HttpStandardResilienceOptions> resilienceOptions) : IHttpMessageHandlerBuilderFilter
{
    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) => builder =>
    {
        var name = HttpResilienceConfigureOptions.OptionsName(builder.Name ?? Options.DefaultName);
        var options = resilienceOptions.Get(name);
        var pipeline = pipelines.GetOrAddPipeline<HttpResponseMessage>(name, (pipeline, _) => pipeline.AddStandardStrategies(options));

        builder.AdditionalHandlers.Add(new RequestIdHandler(httpContextAccessor));
        builder.AdditionalHandlers.Add(new RequestBodyBufferingHandler());
        builder.AdditionalHandlers.Add(new ResilienceHandler(pipeline));
        next(builder);
    };
}
