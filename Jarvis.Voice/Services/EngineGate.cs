using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Jarvis.Voice.Services;

/// <summary>
/// Bounds how many requests each engine runs at once (<c>Voice:MaxConcurrency</c>); a request waits at most
/// <c>Voice:QueueTimeout</c> for a slot, so overload answers 503 instead of piling up processes.
/// </summary>
public sealed class EngineGate(IOptions<VoiceOptions> options)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _slots = new(StringComparer.Ordinal);

    /// <summary>A slot on <paramref name="engine"/> to dispose when done, or null when none freed up in time.</summary>
    public async Task<IDisposable?> EnterAsync(string engine, CancellationToken cancellationToken)
    {
        var slots = _slots.GetOrAdd(engine, _ => new SemaphoreSlim(options.Value.MaxConcurrency, options.Value.MaxConcurrency));
        return await slots.WaitAsync(options.Value.QueueTimeout, cancellationToken) ? new Slot(slots) : null;
    }

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
