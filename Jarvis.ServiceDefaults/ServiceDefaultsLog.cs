using Microsoft.Extensions.Logging;

namespace Jarvis.ServiceDefaults;

/// <summary>The log records of Jarvis.ServiceDefaults.</summary>
/// <remarks>
/// The request records use the log schema's field names (<c>status_code</c>, <c>latency_ms</c>) as placeholders,
/// because placeholders become the fields of the JSON lines and the OpenTelemetry attributes.
/// </remarks>
internal static partial class ServiceDefaultsLog
{
    [LoggerMessage(1, LogLevel.Information, "request served {method} {path} {status_code} in {latency_ms} ms")]
    public static partial void RequestServed(ILogger logger, string method, string? path, int status_code, double latency_ms);

    [LoggerMessage(2, LogLevel.Debug, "request served {method} {path} {status_code} in {latency_ms} ms")]
    public static partial void ProbeServed(ILogger logger, string method, string? path, int status_code, double latency_ms);

    [LoggerMessage(3, LogLevel.Warning, "slow request {method} {path} {status_code} took {latency_ms} ms")]
    public static partial void SlowRequest(ILogger logger, string method, string? path, int status_code, double latency_ms);

    [LoggerMessage(10, LogLevel.Information, "Draining: running {ParticipantCount} drain participant(s) before stopping")]
    public static partial void DrainStarted(ILogger logger, int participantCount);

    [LoggerMessage(11, LogLevel.Information, "Drain completed")]
    public static partial void DrainCompleted(ILogger logger);

    [LoggerMessage(12, LogLevel.Warning, "Drain did not finish within the shutdown timeout; stopping anyway")]
    public static partial void DrainTimedOut(ILogger logger);
}
