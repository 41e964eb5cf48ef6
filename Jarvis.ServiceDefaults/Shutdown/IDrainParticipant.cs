namespace Jarvis.ServiceDefaults.Shutdown;

/// <summary>
/// Work that must finish before the host stops: finishing in-flight replies, telling clients to reconnect elsewhere.
/// Drain work runs after readiness has turned Unhealthy and while the server still serves requests.
/// </summary>
public interface IDrainParticipant
{
    /// <summary>Drains. <paramref name="cancellationToken"/> is cancelled when the shutdown timeout is reached.</summary>
    Task DrainAsync(CancellationToken cancellationToken);
}
