using System.ComponentModel.DataAnnotations;

namespace Jarvis.ServiceDefaults.RequestId;

/// <summary>Request logging settings, bound from the <c>RequestLogging</c> section.</summary>
public sealed class RequestLoggingOptions
{
    /// <summary>Requests slower than this are logged as warnings (default 1 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan SlowRequestThreshold { get; set; } = TimeSpan.FromSeconds(1);
}
