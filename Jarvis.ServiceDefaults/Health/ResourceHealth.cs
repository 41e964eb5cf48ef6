using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Jarvis.ServiceDefaults.Health;

/// <summary>
/// What the process has left: the free share of the disk under its data directory, and its memory (working set)
/// against its limit (<see cref="MemoryLimit"/>: the container's limit in a container, else the machine's memory). Read by the <c>disk</c> and <c>memory</c> readiness checks and published as the
/// gauges <c>resource_disk_free_ratio</c> and <c>resource_memory_used_ratio</c> (meter <c>Jarvis.ServiceDefaults</c>).
/// </summary>
public sealed class ResourceHealth
{
    private readonly IOptionsMonitor<ResourceHealthOptions> _options;
    private readonly IHostEnvironment _environment;

    /// <summary>Creates the gauges.</summary>
    public ResourceHealth(IOptionsMonitor<ResourceHealthOptions> options, IHostEnvironment environment, IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _options = options;
        _environment = environment;
        var meter = meterFactory.Create("Jarvis.ServiceDefaults");
        meter.CreateObservableGauge("resource_disk_free_ratio", () => DiskFreeRatio(), description: "Free share of the disk under the service's data directory.");
        meter.CreateObservableGauge("resource_memory_used_ratio", () => MemoryUsedRatio(), description: "The process's working set over its memory limit.");
    }

    /// <summary>The directory whose disk is watched.</summary>
    public string DataDirectory => Path.GetFullPath(_options.CurrentValue.DataDirectory ?? ".", _environment.ContentRootPath);

    /// <summary>The free share (0..1) of the disk holding <see cref="DataDirectory"/> (or its nearest existing parent).</summary>
    public double DiskFreeRatio()
    {
        var directory = new DirectoryInfo(DataDirectory);
        while (!directory.Exists && directory.Parent is not null)
        {
            directory = directory.Parent;
        }

        var drive = new DriveInfo(directory.FullName);
        return drive.TotalSize == 0 ? 1 : (double)drive.AvailableFreeSpace / drive.TotalSize;
    }

    /// <summary>The process's working set over its memory limit (0..1).</summary>
    public static double MemoryUsedRatio()
    {
        var limit = MemoryLimit;
        return limit <= 0 ? 0 : (double)Environment.WorkingSet / limit;
    }

    /// <summary>
    /// The memory limit: the cgroup's (<c>memory.max</c>, or v1's <c>memory.limit_in_bytes</c>) when the process has
    /// one, else what the GC sees as available (the machine's memory). Not the GC's own figure in a container: there it is
    /// the heap's hard limit, three quarters of the container's.
    /// </summary>
    public static long MemoryLimit { get; } = CgroupLimit() ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    private static long? CgroupLimit()
    {
        foreach (var file in (string[])["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"])
        {
            try
            {
                // "max", or v1's near-2^63 "no limit", means unlimited.
                if (File.Exists(file) && long.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes)
                    && bytes is > 0 and < long.MaxValue / 2)
                {
                    return bytes;
                }
            }
            catch (IOException)
            {
                // Not readable here: the next candidate, or the GC's figure.
            }
            catch (UnauthorizedAccessException)
            {
                // As above.
            }
        }

        return null;
    }

    internal ResourceHealthOptions Options => _options.CurrentValue;
}

/// <summary>Degraded when the disk's free share is below <c>DiskDegradedBelow</c>, Unhealthy below <c>DiskUnhealthyBelow</c>.</summary>
/// <summary>Creates <see cref="ResourceHealth"/> (and so its gauges) when the host starts.</summary>
internal sealed class ResourceGaugesStarter(ResourceHealth resources) : IHostedService
{
    // Being constructed with the instance is the whole work: the gauges exist from here on.
    public Task StartAsync(CancellationToken cancellationToken) => Task.FromResult(resources);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

internal sealed class DiskHealthCheck(ResourceHealth resources) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var free = resources.DiskFreeRatio();
        var options = resources.Options;
        var description = string.Create(CultureInfo.InvariantCulture, $"{free:P0} of the disk under {resources.DataDirectory} is free");
        var data = new Dictionary<string, object> { ["free_ratio"] = Math.Round(free, 4) };
        return Task.FromResult(
            free < options.DiskUnhealthyBelow ? HealthCheckResult.Unhealthy($"{description}: below {options.DiskUnhealthyBelow:P0}", data: data)
            : free < options.DiskDegradedBelow ? HealthCheckResult.Degraded($"{description}: below {options.DiskDegradedBelow:P0}", data: data)
            : HealthCheckResult.Healthy(description, data));
    }
}

/// <summary>Degraded when memory is above <c>MemoryDegradedAbove</c> of the limit, Unhealthy above <c>MemoryUnhealthyAbove</c>.</summary>
internal sealed class MemoryHealthCheck(ResourceHealth resources) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var used = ResourceHealth.MemoryUsedRatio();
        var options = resources.Options;
        var description = string.Create(CultureInfo.InvariantCulture, $"{used:P0} of the memory limit ({ResourceHealth.MemoryLimit / (1024 * 1024)} MiB) is used");
        var data = new Dictionary<string, object> { ["used_ratio"] = Math.Round(used, 4) };
        return Task.FromResult(
            used > options.MemoryUnhealthyAbove ? HealthCheckResult.Unhealthy($"{description}: above {options.MemoryUnhealthyAbove:P0}", data: data)
            : used > options.MemoryDegradedAbove ? HealthCheckResult.Degraded($"{description}: above {options.MemoryDegradedAbove:P0}", data: data)
            : HealthCheckResult.Healthy(description, data));
    }
}
