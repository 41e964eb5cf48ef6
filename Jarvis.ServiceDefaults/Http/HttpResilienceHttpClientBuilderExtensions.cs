using Jarvis.ServiceDefaults.Http;
using Microsoft.Extensions.Http.Resilience;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Per-client changes to the standard resilience pipeline that every client gets.</summary>
public static class HttpResilienceHttpClientBuilderExtensions
{
    /// <summary>
    /// Changes this client's standard resilience options (Microsoft.Extensions.Http.Resilience's
    /// <see cref="HttpStandardResilienceOptions"/>), after configuration is applied. A streaming client (LLM tokens), for
    /// example, lengthens <see cref="HttpStandardResilienceOptions.AttemptTimeout"/> so a slow first token is not an error.
    /// On the builder of <c>ConfigureHttpClientDefaults</c>, which has no name, it changes every client.
    /// </summary>
    public static IHttpClientBuilder ConfigureResilience(this IHttpClientBuilder builder, Action<HttpStandardResilienceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        if (builder.Name is null)
        {
            builder.Services.ConfigureAll(configure);
        }
        else
        {
            builder.Services.Configure(HttpResilienceConfigureOptions.OptionsName(builder.Name), configure);
        }

        return builder;
    }
}
