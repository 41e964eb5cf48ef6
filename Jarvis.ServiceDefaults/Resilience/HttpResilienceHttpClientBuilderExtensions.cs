using Jarvis.ServiceDefaults.Resilience;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Per-client changes to the standard resilience pipeline that every client gets.</summary>
public static class HttpResilienceHttpClientBuilderExtensions
{
    /// <summary>
    /// Changes this client's resilience options, after configuration is applied. A streaming client (LLM tokens), for
    /// example, lengthens <see cref="HttpResilienceOptions.AttemptTimeout"/> so a slow first token is not an error.
    /// </summary>
    public static IHttpClientBuilder ConfigureResilience(this IHttpClientBuilder builder, Action<HttpResilienceOptions> configure)
    {
        builder.Services.Configure(builder.Name, configure);
        return builder;
    }
}
