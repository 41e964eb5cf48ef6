namespace Jarvis.ServiceDefaults.Shutdown;

/// <summary>Whether the service has begun to stop. Services use it to refuse new long-lived work (503) while draining.</summary>
public sealed class DrainState : IDisposable
{
    private readonly CancellationTokenSource _draining = new();

    /// <summary>True once the host has begun to stop.</summary>
    public bool IsDraining => _draining.IsCancellationRequested;

    /// <summary>Cancelled when draining begins.</summary>
    public CancellationToken Draining => _draining.Token;

    /// <inheritdoc/>
    public void Dispose() => _draining.Dispose();

    internal void BeginDraining()
    {
        if (!_draining.IsCancellationRequested)
        {
            _draining.Cancel();
        }
    }
}
