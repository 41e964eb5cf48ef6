using Jarvis.ServiceDefaults.Resilience;
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

        // Microsoft.Extensions.ServiceDiscovery: http://memory from services__memory__http__0, https+http://, and the
        // rest of Aspire's conventions. Its handler is added here, so it sits inside the filter's resilience handler
        // and every retry resolves again, as in the Aspire template.
        services.AddServiceDiscovery();
        services.ConfigureHttpClientDefaults(http => http.AddServiceDiscovery());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHttpMessageHandlerBuilderFilter, HttpClientDefaultsFilter>());
    }
}
