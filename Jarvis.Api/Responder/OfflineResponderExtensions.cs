using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Jarvis.Api.Responder;

/// <summary>Registers <see cref="OfflineResponder"/>.</summary>
public static class OfflineResponderExtensions
{
    /// <summary>Registers <see cref="OfflineResponder"/>, which answers with every registered skill's router.</summary>
    public static IHostApplicationBuilder AddOfflineResponder(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<OfflineResponder>();
        return builder;
    }
}
