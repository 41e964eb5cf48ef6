using Jarvis.Api.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Jarvis.Api.Responder;

/// <summary>Registers <see cref="OfflineResponder"/>.</summary>
public static class OfflineResponderExtensions
{
    /// <summary>
    /// Registers <see cref="OfflineResponder"/> (transient, like the typed <see cref="MemoryClient"/> it uses) and the
    /// memory client if it is not registered yet.
    /// </summary>
    public static IHostApplicationBuilder AddOfflineResponder(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!builder.Services.Any(s => s.ServiceType == typeof(MemoryClient)))
        {
            builder.AddMemoryClient();
        }

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddTransient<OfflineResponder>();
        return builder;
    }
}
