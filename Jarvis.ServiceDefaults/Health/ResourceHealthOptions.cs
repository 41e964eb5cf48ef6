using System.ComponentModel.DataAnnotations;

namespace Jarvis.ServiceDefaults.Health;

/// <summary>
/// The thresholds of the <c>disk</c> and <c>memory</c> readiness checks (section <c>Health:Resources</c>): free space
/// under the service's data directory, and the process's memory against its limit (the container's, else the machine's).
/// </summary>
public sealed class ResourceHealthOptions
{
    /// <summary>The directory whose disk is watched; relative to the content root; default the content root.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Free space below this share of the disk is Degraded (default 0.20).</summary>
    [Range(0.0, 1.0)]
    public double DiskDegradedBelow { get; set; } = 0.20;

    /// <summary>Free space below this share of the disk is Unhealthy (default 0.05).</summary>
    [Range(0.0, 1.0)]
    public double DiskUnhealthyBelow { get; set; } = 0.05;

    /// <summary>Memory above this share of the limit is Degraded (default 0.85).</summary>
    [Range(0.0, 1.0)]
    public double MemoryDegradedAbove { get; set; } = 0.85;

    /// <summary>Memory above this share of the limit is Unhealthy (default 0.95).</summary>
    [Range(0.0, 1.0)]
    public double MemoryUnhealthyAbove { get; set; } = 0.95;
}
