using System.Numerics.Tensors;
using Jarvis.Memory.Memories;

namespace Jarvis.Memory.Storage.Embedded;

/// <summary>
/// One user's memories of one embedder, their vectors contiguous in one array so an exact search is a run of SIMD dot
/// products (vectors are L2-normalised on insert, so the dot product is the cosine similarity). Not thread-safe: the
/// store guards it.
/// </summary>
internal sealed class VectorCollection(int dimensions)
{
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

    /// <summary>The <paramref name="limit"/> most similar memories having every tag, best first: exact, over all of them.</summary>
    public List<VectorMatch> Search(ReadOnlySpan<float> query, int limit, IReadOnlyCollection<string> tags)
    {
        var normalised = query.ToArray();
        var norm = TensorPrimitives.Norm(normalised);
        if (norm > 0)
        {
            TensorPrimitives.Divide(normalised, norm, normalised);
        }

        // A min-heap of the best so far: its root is the one to beat.
        var best = new PriorityQueue<int, float>(limit + 1);
        for (var slot = 0; slot < Count; slot++)
        {
            if (tags.Count > 0 && !tags.All(_records[slot].Tags.Contains))
            {
                continue;
            }

            var similarity = TensorPrimitives.Dot(normalised, _vectors.AsSpan(slot * dimensions, dimensions));
            if (best.Count < limit)
            {
                best.Enqueue(slot, similarity);
            }
            else if (best.TryPeek(out _, out var worst) && similarity > worst)
            {
                best.DequeueEnqueue(slot, similarity);
            }
        }

        var matches = new List<VectorMatch>(best.Count);
        while (best.TryDequeue(out var slot, out var similarity))
        {
            matches.Add(new VectorMatch(_records[slot], similarity));
        }

        matches.Reverse();
        return matches;
    }
}
