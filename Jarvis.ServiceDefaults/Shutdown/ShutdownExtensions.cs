using Jarvis.ServiceDefaults.Shutdown;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of graceful-shutdown work.</summary>
public static class ShutdownExtensions
{
    /// <summary>
    /// Registers <typeparamref name="T"/> as drain work that runs when the host begins to stop. The same singleton is
    /// resolvable as <typeparamref name="T"/>, so a component that owns connections can also drain them.
    /// </summary>
    public static IServiceCollection AddDrainParticipant<T>(this IServiceCollection services) where T : class, IDrainParticipant
    {
        services.TryAddSingleton<T>();
        services.AddSingleton<IDrainParticipant>(provider => provider.GetRequiredService<T>());
        return services;
    }

    internal static void AddGracefulShutdown(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ShutdownOptions>()
            .BindConfiguration("Shutdown")
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<HostOptions>()
            .Configure<IOptions<ShutdownOptions>>((host, shutdown) => host.ShutdownTimeout = shutdown.Value.Timeout);

        builder.Services.TryAddSingleton<DrainState>();
        builder.Services.AddHostedService<DrainCoordinator>();
    }
}
