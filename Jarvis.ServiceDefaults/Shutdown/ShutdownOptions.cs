using System.ComponentModel.DataAnnotations;

namespace Jarvis.ServiceDefaults.Shutdown;

/// <summary>Graceful shutdown settings, bound from the <c>Shutdown</c> section.</summary>
public sealed class ShutdownOptions
{
    /// <summary>How long drain work and the host's own stop may take in total before the process stops anyway (default 30 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
