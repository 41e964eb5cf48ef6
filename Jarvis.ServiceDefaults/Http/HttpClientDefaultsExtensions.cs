using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Telemetry;

namespace Jarvis.ServiceDefaults.Http;

internal static class HttpClientDefaultsExtensions
{
    public static void AddHttpClientDefaults(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddHttpClient();
        services.AddHttpContextAccessor();
        services.TryAddSingleton(TimeProvider.System);

        // Microsoft.Extensions.Http.Resilience's standard pipeline, one per client (HttpClientDefaultsFilter says why
        // not AddStandardResilienceHandler in ConfigureHttpClientDefaults). Polly's registry gives the pipelines
        // Polly's logs and its "Polly" meter.
        services.AddResiliencePipelineRegistry<string>();

        // Polly logs every successful attempt and pipeline run at Information (two records per call); at Debug the
        // logs keep to retries, timeouts and circuit changes, as before the library.
        services.Configure<TelemetryOptions>(telemetry => telemetry.SeverityProvider = args =>
            args.Event is { Severity: ResilienceEventSeverity.Information, EventName: "ExecutionAttempt" or "PipelineExecuted" }
                ? ResilienceEventSeverity.Debug
                : args.Event.Severity);

        services.AddSingleton<IConfigureOptions<HttpStandardResilienceOptions>, HttpResilienceConfigureOptions>();
        services.PostConfigureAll<HttpStandardResilienceOptions>(HttpResilienceRequestOptions.HonourWithoutRetry);
        services.AddSingleton<IValidateOptions<HttpStandardResilienceOptions>, HttpStandardResilienceOptionsValidator>();

        // The shared section is checked at start as the default client's options; a named client's when it is created.
        services.AddOptions<HttpStandardResilienceOptions>(HttpResilienceConfigureOptions.OptionsName(Options.DefaultName)).ValidateOnStart();

        // Microsoft.Extensions.ServiceDiscovery: http://memory from services__memory__http__0, https+http://, and the
        // rest of Aspire's conventions. Its handler is added here, so it sits inside the filter's resilience handler
        // and every retry resolves again, as in the Aspire template.
        services.AddServiceDiscovery();
        services.ConfigureHttpClientDefaults(http =>
        {
            http.AddServiceDiscovery();

            // IHttpClientFactory's own logging writes four Information records and a scope per call, which spans,
            // http.client metrics and Polly's logs already cover: gone, as a tenth of a memory call's cost.
            http.RemoveAllLoggers();

            // As AddStandardResilienceHandler does: the pipeline's timeouts bound a call, not HttpClient's 100 s.
            http.ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan);
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHttpMessageHandlerBuilderFilter, HttpClientDefaultsFilter>());
    }
}
