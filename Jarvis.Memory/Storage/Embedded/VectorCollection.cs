using System.Numerics.Tensors;
using Jarvis.Memory.Memories;

namespace Jarvis.Memory.Storage.Embedded;

/// <summary>
/// One user's memories of one embedder, their vectors contiguous in memory so a search is a run of SIMD dot products
/// (vectors are L2-normalised on insert, so the dot product is the cosine similarity). Not thread-safe: the store
/// guards it.
/// </summary>
/// <remarks>
/// A search of 100,000 vectors is bound by memory bandwidth (146 MB per query), so a large collection is scanned by one
/// task per core. (Scanning float16 copies instead, half the bytes, measured slower here: the conversion costs more
/// than the bandwidth it saves.)
/// </remarks>
internal sealed class VectorCollection(int dimensions)
{
    /// <summary>Collections smaller than this are scanned on the calling thread: splitting would cost more than it saves.</summary>
    private const int ParallelThreshold = 16_384;

    private float[] _vectors = new float[dimensions * 16];
    private MemoryRecord[] _records = new MemoryRecord[16];
    private readonly Dictionary<Guid, int> _slots = [];

    public int Count { get; private set; }

    public IEnumerable<MemoryRecord> Records => _records.Take(Count);

    public MemoryRecord? Get(Guid id) => _slots.TryGetValue(id, out var slot) ? _records[slot] : null;

    public ReadOnlyMemory<float> VectorOf(Guid id) => _vectors.AsMemory(_slots[id] * dimensions, dimensions);

    /// <summary>Adds the memory, or replaces the one with its id.</summary>
    public void Upsert(MemoryRecord record, ReadOnlySpan<float> vector)
    {
        if (!_slots.TryGetValue(record.Id, out var slot))
        {
            if (Count == _records.Length)
            {
                Array.Resize(ref _records, Count * 2);
                Array.Resize(ref _vectors, Count * 2 * dimensions);
            }

            slot = Count++;
            _slots[record.Id] = slot;
        }

        _records[slot] = record;
        var target = _vectors.AsSpan(slot * dimensions, dimensions);
        vector.CopyTo(target);
        var norm = TensorPrimitives.Norm(target);
        if (norm > 0)
        {
            TensorPrimitives.Divide(target, norm, target);
        }
    }

    public void Replace(MemoryRecord record) => _records[_slots[record.Id]] = record;

    /// <summary>Removes the memory by moving the last one into its slot; false when absent.</summary>
    public bool Remove(Guid id)
    {
        if (!_slots.Remove(id, out var slot))
        {
            return false;
        }

        var last = --Count;
        if (slot != last)
        {
            _records[slot] = _records[last];
            _vectors.AsSpan(last * dimensions, dimensions).CopyTo(_vectors.AsSpan(slot * dimensions, dimensions));
            _slots[_records[slot].Id] = slot;
        }

        _records[last] = null!;
        return true;
    }

    /// <summary>
    /// The <paramref name="limit"/> most similar memories having every tag, best first: exact, over all of them. A large
    /// collection is scanned by one task per core, each keeping its own best, merged at the end.
    /// </summary>
    public List<VectorMatch> Search(ReadOnlySpan<float> query, int limit, IReadOnlyCollection<string> tags)
    {
        var normalised = query.ToArray();
        var norm = TensorPrimitives.Norm(normalised);
        if (norm > 0)
        {
            TensorPrimitives.Divide(normalised, norm, normalised);
        }

        var partitions = Count >= ParallelThreshold ? Environment.ProcessorCount : 1;
        var size = (Count + partitions - 1) / partitions;
        var best = new List<(int Slot, float Similarity)>[partitions];
        Parallel.For(0, partitions, partition =>
            best[partition] = Best(normalised, partition * size, Math.Min(Count, (partition + 1) * size), limit, tags));

        return [.. best.SelectMany(b => b)
            .OrderByDescending(m => m.Similarity)
            .Take(limit)
            .Select(m => new VectorMatch(_records[m.Slot], m.Similarity))];
    }

    private List<(int Slot, float Similarity)> Best(float[] query, int from, int to, int limit, IReadOnlyCollection<string> tags)
    {
        // A min-heap of the best so far: its root is the one to beat.
        var best = new PriorityQueue<int, float>(limit + 1);
        for (var slot = from; slot < to; slot++)
        {
            if (tags.Count > 0 && !tags.All(_records[slot].Tags.Contains))
            {
                continue;
            }

            var similarity = TensorPrimitives.Dot(query, _vectors.AsSpan(slot * dimensions, dimensions));
            if (best.Count < limit)
            {
                best.Enqueue(slot, similarity);
            }
            else if (best.TryPeek(out _, out var worst) && similarity > worst)
            {
                best.DequeueEnqueue(slot, similarity);
            }
        }

        var matches = new List<(int Slot, float Similarity)>(best.Count);
        while (best.TryDequeue(out var slot, out var similarity))
        {
            matches.Add((slot, similarity));
        }

        return matches;
    }
}
