using System.Diagnostics;

namespace Jarvis.Api.Memory;

/// <summary>
/// Records the turns of chat exchanges in Jarvis.Memory, concurrent exchanges sharing requests. An exchange joins a
/// queue, and whichever caller holds one of the <see cref="RequestsInFlight"/> request slots next sends everything
/// queued by then as one <c>POST /api/turns</c>, which Memory commits at once. Each caller returns only when the request
/// holding its turns has answered, so recorded still means on Memory's disk. Under load the queue fills while earlier
/// requests are in flight, so no exchange waits for a timer; alone, an exchange sends its own request at once.
/// </summary>
public sealed class ConversationRecorder(MemoryClient memory) : IDisposable
{
    /// <summary>The spans of requests that carry several exchanges, each linked to the trace of every exchange it holds.</summary>
    public static readonly ActivitySource Source = new("Jarvis.Api.Memory");

    /// <summary>
    /// How many requests to Memory may be in flight at once: one, so the next fills while it is committed. Two halved the
    /// batches and doubled Memory's per-request work (HTTP, commit, fsync) on shared cores: 0.27x against 0.39x of the
    /// memory-less turn in bench/api-chat.sh.
    /// </summary>
    public const int RequestsInFlight = 1;

    // Jarvis.Memory takes at most 200 turns in one request.
    private const int MaxTurnsPerRequest = 200;

    private readonly SemaphoreSlim _slots = new(RequestsInFlight, RequestsInFlight);
    private readonly Lock _queueLock = new();
    private readonly List<PendingExchange> _queue = [];

    /// <summary>
    /// Appends <paramref name="turns"/> (one exchange: at most 200 turns, usually the user's message and the reply), in
    /// order, all of them or none; returns once they are recorded.
    /// </summary>
    /// <exception cref="MemoryUnavailableException">Memory could not be reached or failed.</exception>
    /// <exception cref="HttpRequestException">Memory refused the turns.</exception>
    public async Task RecordAsync(IReadOnlyList<MemoryTurnToAppend> turns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turns);
        ArgumentOutOfRangeException.ThrowIfZero(turns.Count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(turns.Count, MaxTurnsPerRequest);
        cancellationToken.ThrowIfCancellationRequested();
        var exchange = new PendingExchange(turns, Activity.Current?.Context);
        lock (_queueLock)
        {
            _queue.Add(exchange);
        }

        // Once queued the exchange may be sent by another caller at any moment, so waiting is not cancelled; the
        // memory client's own timeouts bound it. A caller whose exchange another request took waits for that one.
        while (true)
        {
            await _slots.WaitAsync(CancellationToken.None);
            try
            {
                bool taken;
                lock (_queueLock)
                {
                    taken = exchange.Taken;
                }

                if (taken)
                {
                    break;
                }

                await SendQueuedAsync(exchange);
            }
            finally
            {
                _slots.Release();
            }
        }

        await exchange.Done.Task;
    }

    /// <inheritdoc />
    public void Dispose() => _slots.Dispose();

    private async Task SendQueuedAsync(PendingExchange sender)
    {
        var batch = new List<PendingExchange>();
        var count = 0;
        lock (_queueLock)
        {
            while (batch.Count < _queue.Count && count + _queue[batch.Count].Turns.Count <= MaxTurnsPerRequest)
            {
                var next = _queue[batch.Count];
                next.Taken = true;
                count += next.Turns.Count;
                batch.Add(next);
            }

            _queue.RemoveRange(0, batch.Count);
        }

        if (batch.Count == 0)
        {
            return;
        }

        // A request of the sender's own exchange alone belongs to its trace; one carrying others' is a span of its own
        // in the sender's trace, linked to theirs.
        using var activity = batch is [var only] && ReferenceEquals(only, sender)
            ? null
            : Source.StartActivity(
                "record turns",
                ActivityKind.Internal,
                parentContext: default,
                tags: [new("jarvis.memory.exchanges", batch.Count), new("jarvis.memory.turns", count)],
                links: [.. batch.Where(e => e.Context is not null && !ReferenceEquals(e, sender)).Select(e => new ActivityLink(e.Context!.Value))]);
        try
        {
            await memory.AppendTurnsAsync([.. batch.SelectMany(e => e.Turns)], CancellationToken.None);
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            foreach (var exchange in batch)
            {
                exchange.Done.TrySetException(e);
            }

            return;
        }

        foreach (var exchange in batch)
        {
            exchange.Done.TrySetResult();
        }
    }

    private sealed record PendingExchange(IReadOnlyList<MemoryTurnToAppend> Turns, ActivityContext? Context)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Set (under the queue's lock) once a request holds the exchange.</summary>
        public bool Taken { get; set; }
    }
}
