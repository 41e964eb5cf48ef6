using System.ComponentModel.DataAnnotations;

namespace Jarvis.ServiceDefaults.Health;

/// <summary>Health endpoint settings, bound from the <c>Health</c> section.</summary>
public sealed class HealthOptions
{
    /// <summary>How long one check may run before it is reported with its failure status (default 2 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan CheckTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
