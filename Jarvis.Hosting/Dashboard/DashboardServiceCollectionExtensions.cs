using Jarvis.Hosting.Dashboard.Otlp;
using Jarvis.Hosting.Dashboard.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Jarvis.Hosting.Dashboard;

/// <summary>Registers the dashboard: its options, its telemetry store and OTLP receiver, and its web server.</summary>
internal static class DashboardServiceCollectionExtensions
{
    /// <summary>
    /// Adds the dashboard's services. The OTLP receiver is a hosted service registered here, so call this before the
    /// orchestrator's registration: hosted services start in order, and the services must find the receiver listening.
    /// </summary>
    public static IServiceCollection AddDashboardTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DashboardOptions>().Bind(configuration.GetSection("Dashboard")).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TelemetryLimitsOptions>().Bind(configuration.GetSection("Dashboard:TelemetryLimits")).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var dashboard = sp.GetRequiredService<IOptions<DashboardOptions>>().Value;
            var archive = dashboard.Storage == TelemetryStorage.Sqlite
                ? new SqliteTelemetryArchive(dashboard.SqlitePath ?? DefaultSqlitePath(sp.GetRequiredService<AppHostInfo>()))
                : null;
            return new TelemetryRepository(sp.GetRequiredService<IOptions<TelemetryLimitsOptions>>(), sp.GetRequiredService<TimeProvider>(), archive);
        });
        services.AddSingleton<OtlpHttpServer>();
        services.AddHostedService(sp => sp.GetRequiredService<OtlpHttpServer>());
        return services;
    }

    /// <summary>See <see cref="DashboardOptions.SqlitePath"/>; the app host's directory when the user has no data directory.</summary>
    private static string DefaultSqlitePath(AppHostInfo appHost)
    {
        var userData = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        var directory = string.IsNullOrEmpty(userData)
            ? Path.Combine(appHost.ProjectDirectory, ".jarvis")
            : Path.Combine(userData, "Jarvis", appHost.Assembly.GetName().Name ?? "AppHost");
        return Path.Combine(directory, "dashboard.db");
    }
}
