using System.Numerics.Tensors;
using Jarvis.Memory.Memories;
using Jarvis.Memory.Storage.Embedded;

namespace Jarvis.Tests.Memory.Embedded;

/// <summary>
/// The int8 scan must never change the answer: near-duplicates differing by about half an int8 step keep the order of their
/// float32 scores (the reference computes those exactly as the collection does, so only the filter is under test).
/// </summary>
public sealed class VectorCollectionTests
{
    [Theory]
    [InlineData(384, 20_000)]
    [InlineData(40, 3_000)]
    public void NearDuplicatesWithinInt8PrecisionAreRankedByTheirExactScores(int dimensions, int count)
    {
        var random = new Random(7);
        var direction = Enumerable.Range(0, dimensions).Select(_ => (float)(random.NextDouble() * 2) - 1).ToArray();
        var collection = new VectorCollection(dimensions);
        var vectors = new Dictionary<Guid, float[]>();
        for (var i = 0; i < count; i++)
        {
            // The same direction (half of them negated) plus noise about half an int8 step.
            var sign = i % 2 == 0 ? 1 : -1;
            var vector = direction.Select(x => (sign * x) + ((float)(random.NextDouble() - 0.5) * 5e-3f)).ToArray();
            var record = new MemoryRecord(Guid.NewGuid(), "u", "t", MemoryKind.Fact, 0.5, [], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "e");
            vectors[record.Id] = vector;
            collection.Upsert(record, vector);
        }

        var query = direction.Select(x => x + ((float)(random.NextDouble() - 0.5) * 1e-3f)).ToArray();
        var expected = vectors.OrderByDescending(v => Score(v.Value, query)).Take(10).Select(v => v.Key).ToList();

        var actual = collection.Search(query, 10, []).Select(m => m.Memory.Id).ToList();

        Assert.Equal(expected, actual);
    }

    private static float Score(float[] vector, float[] query) =>
        TensorPrimitives.Dot(Normalised(vector), Normalised(query));

    private static float[] Normalised(float[] vector)
    {
        var copy = (float[])vector.Clone();
        TensorPrimitives.Divide(copy, TensorPrimitives.Norm(copy), copy);
        return copy;
    }
}
