using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Jarvis.ServiceDefaults.Health;

/// <summary>The readiness (<c>/health</c>) and liveness (<c>/alive</c>) endpoints and the checks every service has.</summary>
public static class HealthEndpoints
{
    /// <summary>Readiness: every registered check.</summary>
    public const string ReadinessPath = "/health";

    /// <summary>Liveness: only the checks tagged <see cref="LiveTag"/>.</summary>
    public const string LivenessPath = "/alive";

    /// <summary>The tag that puts a check in the liveness probe.</summary>
    public const string LiveTag = "live";

    /// <summary>Whether <paramref name="path"/> is one of the probe endpoints (not traced, logged at debug level).</summary>
    public static bool IsProbe(PathString path) =>
        path.Equals(ReadinessPath, StringComparison.OrdinalIgnoreCase) || path.Equals(LivenessPath, StringComparison.OrdinalIgnoreCase);

    internal static void AddDefaultHealthChecks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HealthOptions>()
            .BindConfiguration("Health")
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IPostConfigureOptions<HealthCheckServiceOptions>, HealthCheckTimeouts>();

        builder.Services.AddOptions<ResourceHealthOptions>()
            .BindConfiguration("Health:Resources")
            .ValidateDataAnnotations()
            .Validate(o => o.DiskUnhealthyBelow <= o.DiskDegradedBelow, "Health:Resources:DiskUnhealthyBelow must not be above DiskDegradedBelow.")
            .Validate(o => o.MemoryUnhealthyAbove >= o.MemoryDegradedAbove, "Health:Resources:MemoryUnhealthyAbove must not be below MemoryDegradedAbove.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ResourceHealth>();
        // Made at start, so the gauges are on /metrics from the first scrape, not from the first health check.
        builder.Services.AddHostedService<ResourceGaugesStarter>();

        // Readiness only, never liveness: a full disk takes the pod out of service instead of restarting it in a loop.
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy("process is running"), [LiveTag])
            .AddCheck<DrainingHealthCheck>(DrainingHealthCheck.Name)
            .AddCheck<DiskHealthCheck>("disk")
            .AddCheck<MemoryHealthCheck>("process-memory");
    }

    internal static void MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks(ReadinessPath, new HealthCheckOptions { ResponseWriter = HealthReportWriter.WriteAsync })
            .WithDisplayName("Readiness probe")
            .AllowAnonymous();

        endpoints.MapHealthChecks(LivenessPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
            ResponseWriter = HealthReportWriter.WriteAsync,
        })
            .WithDisplayName("Liveness probe")
            .AllowAnonymous();
    }
}
