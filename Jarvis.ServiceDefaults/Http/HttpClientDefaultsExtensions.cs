using Jarvis.ServiceDefaults.Resilience;
using Jarvis.ServiceDefaults.ServiceDiscovery;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace Jarvis.ServiceDefaults.Http;

internal static class HttpClientDefaultsExtensions
{
    public static void AddHttpClientDefaults(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddHttpClient();
        services.AddHttpContextAccessor();
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<IConfigureOptions<HttpResilienceOptions>, HttpResilienceConfigureOptions>();
        services.AddSingleton<IValidateOptions<HttpResilienceOptions>, HttpResilienceOptionsValidator>();
        services.AddOptions<HttpResilienceOptions>().ValidateOnStart();
        services.TryAddSingleton<ResilienceMetrics>();
        services.TryAddSingleton<HttpResiliencePipelines>();

        services.TryAddSingleton<ServiceEndpointResolver>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHttpMessageHandlerBuilderFilter, HttpClientDefaultsFilter>());
    }
}
