namespace Jarvis.Voice;

/// <summary>The voice service's log messages.</summary>
internal static partial class VoiceLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Voice engine {Engine} failed: {Reason}")]
    public static partial void EngineFailed(this ILogger logger, string engine, string reason);
}
