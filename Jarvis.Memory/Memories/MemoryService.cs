using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Jarvis.Memory.Embeddings;
using Jarvis.Memory.Storage;
using Microsoft.Extensions.Options;

namespace Jarvis.Memory.Memories;

/// <summary>Stores and recalls memories: embeds the text, writes it to the store, ranks what a search finds.</summary>
public sealed class MemoryService(
    IMemoryStore store,
    EmbedderSelector embedders,
    MemoryRanker ranker,
    MemoryTelemetry telemetry,
    IOptions<RankingOptions> ranking,
    TimeProvider timeProvider)
{
    private readonly SemaphoreSlim[] _idempotencyLocks = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    /// <summary>The collection new memories go to: the current embedder's id.</summary>
    public string CurrentEmbedder => embedders.Current.Descriptor.Id;

    /// <summary>
    /// Stores a memory. With an idempotency key the id is derived from the user and the key, so a retried request finds
    /// the memory it already stored and returns it instead of storing it twice.
    /// </summary>
    public async Task<StoreResult> StoreAsync(NewMemory memory, string? idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(memory);
        if (idempotencyKey is null)
        {
            return await StoreNewAsync(memory, Guid.CreateVersion7(timeProvider.GetUtcNow()), cancellationToken);
        }

        // Retries of one request race each other: the check and the write happen under the key's lock.
        var id = IdempotentId(memory.UserId, idempotencyKey);
        var gate = _idempotencyLocks[(int)(BitConverter.ToUInt32(id.ToByteArray(), 0) % (uint)_idempotencyLocks.Length)];
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (await store.GetAsync(memory.UserId, id, cancellationToken) is { } existing)
            {
                return existing.Text == memory.Text && existing.Kind == memory.Kind && existing.Importance == memory.Importance && existing.Tags.SequenceEqual(memory.Tags)
                    ? new StoreResult(existing, Created: false)
                    : throw new IdempotencyConflictException(idempotencyKey);
            }

            return await StoreNewAsync(memory, id, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<StoreResult> StoreNewAsync(NewMemory memory, Guid id, CancellationToken cancellationToken)
    {
        var embedder = embedders.Current;
        using var activity = telemetry.StartActivity("store", store.Backend, embedder.Descriptor);
        var started = Stopwatch.GetTimestamp();
        var vector = await EmbedAsync(embedder, memory.Text, cancellationToken);
        var now = Now();
        var record = new MemoryRecord(id, memory.UserId, memory.Text, memory.Kind, memory.Importance, memory.Tags, now, now, embedder.Descriptor.Id);
        await store.EnsureCollectionAsync(embedder.Descriptor, cancellationToken);
        await store.UpsertAsync(new StoredMemory(record, vector), cancellationToken);
        telemetry.RecordStore(Stopwatch.GetElapsedTime(started), store.Backend);
        telemetry.MemoryAdded();
        return new StoreResult(record, Created: true);
    }

    /// <summary>
    /// The user's memories that best match the query: the most similar (by the current embedder) re-ranked by relevance,
    /// recency and importance. Recalled memories count as accessed now.
    /// </summary>
    public async Task<SearchResult> SearchAsync(MemoryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var embedder = embedders.Current;
        using var activity = telemetry.StartActivity("search", store.Backend, embedder.Descriptor);
        var started = Stopwatch.GetTimestamp();
        var vector = await EmbedAsync(embedder, query.Text, cancellationToken);
        var pool = Math.Max(query.Limit, ranking.Value.CandidatePool);
        var matches = await store.SearchAsync(query.UserId, embedder.Descriptor, vector, pool, query.Tags, cancellationToken);
        var now = Now();
        var ranked = ranker.Rank(matches, now).Where(r => query.MinScore is not { } min || r.Score >= min).Take(query.Limit).ToList();
        if (ranked.Count > 0)
        {
            await store.TouchAsync(query.UserId, [.. ranked.Select(r => r.Memory.Id)], now, cancellationToken);
        }

        activity?.SetTag("jarvis.memory.results", ranked.Count);
        telemetry.RecordSearch(Stopwatch.GetElapsedTime(started), store.Backend);
        return new SearchResult(embedder.Descriptor.Id, ranked);
    }

    /// <summary>One memory of the user, or null.</summary>
    public Task<MemoryRecord?> GetAsync(string userId, Guid id, CancellationToken cancellationToken) => store.GetAsync(userId, id, cancellationToken);

    /// <summary>A page of the user's memories, newest first.</summary>
    public Task<MemoryPage> ListAsync(string userId, string? cursor, int limit, CancellationToken cancellationToken) => store.ListAsync(userId, cursor, limit, cancellationToken);

    /// <summary>Deletes one memory of the user; false when the user has no such memory.</summary>
    public async Task<bool> DeleteAsync(string userId, Guid id, CancellationToken cancellationToken)
    {
        var deleted = await store.DeleteAsync(userId, id, cancellationToken);
        if (deleted)
        {
            telemetry.MemoriesRemoved(1);
        }

        return deleted;
    }

    /// <summary>Forgets everything about the user: memories and conversations.</summary>
    public async Task<long> ForgetUserAsync(string userId, CancellationToken cancellationToken)
    {
        var deleted = await store.DeleteUserAsync(userId, cancellationToken);
        telemetry.MemoriesRemoved(deleted);
        return deleted;
    }

    /// <summary>Every memory of the user, oldest first.</summary>
    public async Task<IReadOnlyList<MemoryRecord>> ExportAsync(string userId, CancellationToken cancellationToken)
    {
        var memories = new List<MemoryRecord>();
        await foreach (var memory in store.ReadAllAsync(userId, cancellationToken))
        {
            memories.Add(memory.Memory);
        }

        return memories;
    }

    /// <summary>
    /// Moves the user's memories embedded by another embedder into the current one's collection: their text is embedded
    /// again and each memory keeps its id, dates and importance. Returns how many moved.
    /// </summary>
    public async Task<int> ReembedAsync(string userId, CancellationToken cancellationToken)
    {
        var embedder = embedders.Current;
        await store.EnsureCollectionAsync(embedder.Descriptor, cancellationToken);
        var stale = new List<MemoryRecord>();
        await foreach (var memory in store.ReadAllAsync(userId, cancellationToken))
        {
            if (memory.Memory.Embedder != embedder.Descriptor.Id)
            {
                stale.Add(memory.Memory);
            }
        }

        foreach (var batch in stale.Chunk(64))
        {
            var vectors = await embedder.Generator.GenerateAsync(batch.Select(m => m.Text), cancellationToken: cancellationToken);
            for (var i = 0; i < batch.Length; i++)
            {
                await store.MoveAsync(new StoredMemory(batch[i] with { Embedder = embedder.Descriptor.Id }, vectors[i].Vector), cancellationToken);
            }
        }

        return stale.Count;
    }

    /// <summary>Now, to the millisecond: what every store keeps, so an answer and a later read agree exactly.</summary>
    private DateTimeOffset Now()
    {
        var now = timeProvider.GetUtcNow();
        return now.AddTicks(-(now.UtcTicks % TimeSpan.TicksPerMillisecond));
    }

    private static async Task<ReadOnlyMemory<float>> EmbedAsync(ActiveEmbedder embedder, string text, CancellationToken cancellationToken)
    {
        var embeddings = await embedder.Generator.GenerateAsync([text], cancellationToken: cancellationToken);
        return embeddings[0].Vector;
    }

    /// <summary>A UUID derived from the user and the idempotency key (SHA-256, version bits set as for a v8 UUID).</summary>
    private static Guid IdempotentId(string userId, string key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{userId}\n{key}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}

/// <summary>A memory to store, validated.</summary>
public sealed record NewMemory(string UserId, string Text, MemoryKind Kind, double Importance, IReadOnlyList<string> Tags);

/// <summary>The stored memory, and whether this request created it (false: an idempotent replay).</summary>
public sealed record StoreResult(MemoryRecord Memory, bool Created);

/// <summary>A recall request, validated.</summary>
public sealed record MemoryQuery(string UserId, string Text, int Limit, double? MinScore, IReadOnlyCollection<string> Tags);

/// <summary>What a recall found, and the embedder that compared them.</summary>
public sealed record SearchResult(string Embedder, IReadOnlyList<RankedMemory> Results);

/// <summary>An idempotency key reused with a different request.</summary>
public sealed class IdempotencyConflictException(string key)
    : Exception($"The Idempotency-Key '{key}' was already used with a different request.");
