using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Jarvis.Memory.Memories;

namespace Jarvis.Memory.Storage.Embedded;

/// <summary>
/// One user's memories of one embedder, their vectors contiguous in memory (L2-normalised on insert, so a dot product is
/// the cosine similarity). Not thread-safe: the store guards it.
/// </summary>
/// <remarks>
/// An exact search of 100,000 vectors is bound by memory bandwidth: 146 MB of float32 per query. So each vector is also
/// kept as int8 with its scale (a quarter of the bytes), the scan runs over those with integer SIMD, and the result stays
/// exact: each int8 score comes with a bound on its error (from the rounding of vector and query), and every memory whose
/// upper bound reaches the k-th best lower bound is re-scored with its float32 vector. The true top k are always among
/// them; in practice a few hundred of 100,000 are re-scored. A large collection is scanned by one task per core.
/// </remarks>
internal sealed class VectorCollection(int dimensions)
{
    /// <summary>Collections smaller than this are scanned on the calling thread: splitting would cost more than it saves.</summary>
    private const int ParallelThreshold = 16_384;

    /// <summary>Covers the float rounding of the bound arithmetic itself.</summary>
    private const float RoundingMargin = 1e-5f;

    private float[] _vectors = new float[dimensions * 16];
    private sbyte[] _codes = new sbyte[dimensions * 16];
    private float[] _scales = new float[16];
    private float[] _magnitudes = new float[16];
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
                Array.Resize(ref _codes, Count * 2 * dimensions);
                Array.Resize(ref _scales, Count * 2);
                Array.Resize(ref _magnitudes, Count * 2);
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

        _scales[slot] = Quantize(target, _codes.AsSpan(slot * dimensions, dimensions));
        _magnitudes[slot] = TensorPrimitives.SumOfMagnitudes(target);
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
            _codes.AsSpan(last * dimensions, dimensions).CopyTo(_codes.AsSpan(slot * dimensions, dimensions));
            _scales[slot] = _scales[last];
            _magnitudes[slot] = _magnitudes[last];
            _slots[_records[slot].Id] = slot;
        }

        _records[last] = null!;
        return true;
    }

    /// <summary>The <paramref name="limit"/> most similar memories having every tag, best first, exact.</summary>
    public List<VectorMatch> Search(ReadOnlySpan<float> query, int limit, IReadOnlyCollection<string> tags)
    {
        var normalised = query.ToArray();
        var norm = TensorPrimitives.Norm(normalised);
        if (norm > 0)
        {
            TensorPrimitives.Divide(normalised, norm, normalised);
        }

        var codes = new sbyte[dimensions];
        var scale = Quantize(normalised, codes);
        var widened = new short[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            widened[i] = codes[i];
        }

        var probe = new Probe(normalised, widened, scale, scale * TensorPrimitives.SumOfMagnitudes(widened.Select(c => (float)c).ToArray()));
        var partitions = Count >= ParallelThreshold ? Environment.ProcessorCount : 1;
        var size = (Count + partitions - 1) / partitions;
        var candidates = new List<Candidate>[partitions];
        Parallel.For(0, partitions, partition =>
            candidates[partition] = Candidates(probe, partition * size, Math.Min(Count, (partition + 1) * size), limit, tags));

        var all = candidates.SelectMany(c => c).ToList();
        if (all.Count == 0)
        {
            return [];
        }

        // Whatever can still reach the top k is re-scored with its float32 vector.
        var kthLower = all.Select(c => c.Lower).OrderDescending().ElementAt(Math.Min(limit, all.Count) - 1);
        return [.. all
            .Where(c => c.Upper >= kthLower)
            .Select(c => (c.Slot, Similarity: TensorPrimitives.Dot(normalised, _vectors.AsSpan(c.Slot * dimensions, dimensions))))
            .OrderByDescending(c => c.Similarity)
            .Take(limit)
            .Select(c => new VectorMatch(_records[c.Slot], c.Similarity))];
    }

    /// <summary>
    /// The slots in [<paramref name="from"/>, <paramref name="to"/>) whose upper bound reaches this range's k-th best lower
    /// bound: a superset of its true top k, and of anything the merge can need (the global k-th lower bound is higher).
    /// </summary>
    private List<Candidate> Candidates(Probe probe, int from, int to, int limit, IReadOnlyCollection<string> tags)
    {
        var best = new PriorityQueue<int, float>(limit + 1);
        var candidates = new List<Candidate>();
        var threshold = float.NegativeInfinity;
        for (var slot = from; slot < to; slot++)
        {
            if (tags.Count > 0 && !tags.All(_records[slot].Tags.Contains))
            {
                continue;
            }

            // |x·q − x̂·q̂| ≤ ‖x‖₁·sq/2 + ‖q̂‖₁·sx/2, as each rounded component is off by at most half its scale.
            var approximate = DotInt8(_codes.AsSpan(slot * dimensions, dimensions), probe.Codes) * _scales[slot] * probe.Scale;
            var error = (_magnitudes[slot] * probe.Scale / 2) + (probe.Magnitude * _scales[slot] / 2) + RoundingMargin;
            var upper = approximate + error;
            if (upper < threshold)
            {
                continue;
            }

            var lower = approximate - error;
            candidates.Add(new Candidate(slot, lower, upper));
            if (best.Count < limit)
            {
                best.Enqueue(slot, lower);
            }
            else if (best.TryPeek(out _, out var worst) && lower > worst)
            {
                best.DequeueEnqueue(slot, lower);
            }

            if (best.Count == limit && best.TryPeek(out _, out var kth) && kth > threshold)
            {
                threshold = kth;
                if (candidates.Count > (16 * limit) + 1024)
                {
                    candidates.RemoveAll(c => c.Upper < threshold);
                }
            }
        }

        return candidates;
    }

    /// <summary>Rounds a vector to int8 with one scale (its largest magnitude maps to 127); returns the scale.</summary>
    private static float Quantize(ReadOnlySpan<float> vector, Span<sbyte> codes)
    {
        // MaxMagnitude returns the element itself, which may be negative.
        var max = vector.Length == 0 ? 0 : Math.Abs(TensorPrimitives.MaxMagnitude(vector));
        var scale = max > 0 ? max / 127f : 0;
        for (var i = 0; i < vector.Length; i++)
        {
            codes[i] = scale == 0 ? (sbyte)0 : (sbyte)Math.Clamp(MathF.Round(vector[i] / scale), -127, 127);
        }

        return scale;
    }

    /// <summary>Σ x·q over int8 codes and the query's codes widened to int16: AVX2 multiply-add of pairs when available.</summary>
    private static int DotInt8(ReadOnlySpan<sbyte> x, ReadOnlySpan<short> q)
    {
        var i = 0;
        var sum = 0;
        if (Avx2.IsSupported && x.Length >= 32)
        {
            ref var xs = ref MemoryMarshal.GetReference(x);
            ref var qs = ref MemoryMarshal.GetReference(q);
            var accumulator = Vector256<int>.Zero;
            for (; i + 32 <= x.Length; i += 32)
            {
                var (lower, upper) = Vector256.Widen(Vector256.LoadUnsafe(ref xs, (nuint)i));
                accumulator += Avx2.MultiplyAddAdjacent(lower, Vector256.LoadUnsafe(ref qs, (nuint)i));
                accumulator += Avx2.MultiplyAddAdjacent(upper, Vector256.LoadUnsafe(ref Unsafe.Add(ref qs, 16), (nuint)i));
            }

            sum = Vector256.Sum(accumulator);
        }

        for (; i < x.Length; i++)
        {
            sum += x[i] * q[i];
        }

        return sum;
    }

    /// <summary>The query: float32 for re-scoring, int8 codes (widened) with their scale and dequantised L1 norm for the scan.</summary>
    private sealed record Probe(float[] Vector, short[] Codes, float Scale, float Magnitude);

    private readonly record struct Candidate(int Slot, float Lower, float Upper);
}
