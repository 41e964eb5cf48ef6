using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Jarvis.Api.Memory;

/// <summary>
/// Records the turns of chat exchanges in Jarvis.Memory, concurrent exchanges sharing requests. An exchange joins a
/// queue; while no request is in flight its caller sends everything queued as one <c>POST /api/turns</c>, which Memory
/// commits at once, and while one is, it waits. When a request answers, its sender hands the next request to the caller
/// of the oldest exchange queued meanwhile (one wake-up per request, not one per waiting caller). Each caller returns
/// only when the request holding its turns has answered, so recorded still means on Memory's disk. Under load the queue
/// fills while a request is in flight, so no exchange waits for a timer; alone, an exchange sends its own request at once.
/// One request in flight, not more: two halved the batches and doubled Memory's per-request work (HTTP, commit, fsync)
/// on shared cores, 0.27x against 0.39x of the memory-less turn in bench/api-chat.sh.
/// </summary>
public sealed class ConversationRecorder(MemoryClient memory)
{
    /// <summary>The spans of requests that carry several exchanges, each linked to the trace of every exchange it holds.</summary>
    public static readonly ActivitySource Source = new("Jarvis.Api.Memory");

    // Jarvis.Memory takes at most 200 turns in one request.
    private const int MaxTurnsPerRequest = 200;

    private readonly Lock _queueLock = new();
    private readonly List<PendingExchange> _queue = [];
    private bool _sending;

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
            if (!_sending)
            {
                _sending = true;
                exchange.Outcome.SetResult(Outcome.Send);
            }
        }

        // Once queued the exchange may be sent by another caller at any moment, so waiting is not cancelled; the
        // memory client's own timeouts bound it.
        if (await exchange.Outcome.Task == Outcome.Send)
        {
            await SendQueuedAsync(exchange);
        }
    }

    /// <summary>
    /// Sends the queue, <paramref name="sender"/>'s exchange first, as one request; settles the other exchanges it
    /// holds, hands the next request to the oldest exchange queued meanwhile, and throws what failed its own.
    /// </summary>
    private async Task SendQueuedAsync(PendingExchange sender)
    {
        var batch = new List<PendingExchange>();
        var count = 0;
        lock (_queueLock)
        {
            while (batch.Count < _queue.Count && count + _queue[batch.Count].Turns.Count <= MaxTurnsPerRequest)
            {
                count += _queue[batch.Count].Turns.Count;
                batch.Add(_queue[batch.Count]);
            }

            _queue.RemoveRange(0, batch.Count);
        }

        Exception? failure = null;
        try
        {
            await SendAsync(batch, sender, count);
        }
        catch (Exception e)
        {
            failure = e;
        }

        lock (_queueLock)
        {
            if (_queue.Count == 0)
            {
                _sending = false;
            }
            else
            {
                _queue[0].Outcome.SetResult(Outcome.Send);
            }
        }

        foreach (var exchange in batch.Where(e => !ReferenceEquals(e, sender)))
        {
            if (failure is null)
            {
                exchange.Outcome.SetResult(Outcome.Recorded);
            }
            else
            {
                exchange.Outcome.SetException(failure);
            }
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    private async Task SendAsync(List<PendingExchange> batch, PendingExchange sender, int count)
    {
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
            throw;
        }
    }

    private enum Outcome
    {
        /// <summary>The exchange is recorded.</summary>
        Recorded,

        /// <summary>The exchange's caller is to send the queue.</summary>
        Send,
    }

    private sealed record PendingExchange(IReadOnlyList<MemoryTurnToAppend> Turns, ActivityContext? Context)
    {
        /// <summary>Whether the caller is to send the queue, or that the exchange is recorded, or what failed it.</summary>
        public TaskCompletionSource<Outcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
