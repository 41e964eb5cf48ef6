using Jarvis.Memory.Embeddings;
using Jarvis.Memory.Memories;
using Jarvis.Memory.Storage;
using Jarvis.Memory.Storage.Embedded;

namespace Jarvis.Tests.Memory.Embedded;

/// <summary>The embedded store on disk: what it acknowledges survives a reopen, and its search is exact.</summary>
public sealed class EmbeddedMemoryStoreTests : IDisposable
{
    private static readonly EmbedderDescriptor Lexical = LexicalEmbedder.Descriptor;
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 9, 30, 0, TimeSpan.Zero);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "jarvis-memory-store-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task DataAndVectorIndexSurviveAReopen()
    {
        string[] queries = ["where does my sister live", "tax report friday", "green tea", "memory number 7", "nothing in common"];
        List<(string User, string Query, List<(Guid Id, double Similarity)> Matches)> before;
        List<MemoryRecord> aliceBefore;
        using (var store = EmbeddedMemoryStore.Open(_directory))
        {
            await SeedAsync(store);
            before = await SearchAllAsync(store, queries);
            aliceBefore = await ListAllAsync(store, "alice");
            Assert.Equal(45, await store.CountAsync(Ct));
        }

        using (var reopened = EmbeddedMemoryStore.Open(_directory))
        {
            Assert.Equal(45, await reopened.CountAsync(Ct));
            var after = await SearchAllAsync(reopened, queries);
            Assert.Equal(before.Count, after.Count);
            for (var i = 0; i < before.Count; i++)
            {
                Assert.Equal(before[i].Matches.Select(m => m.Id), after[i].Matches.Select(m => m.Id));
                Assert.Equal(before[i].Matches.Select(m => m.Similarity), after[i].Matches.Select(m => m.Similarity));
            }

            var aliceAfter = await ListAllAsync(reopened, "alice");
            Assert.Equal(aliceBefore.Count, aliceAfter.Count);
            for (var i = 0; i < aliceBefore.Count; i++)
            {
                AssertSameRecord(aliceBefore[i], aliceAfter[i]);
            }

            var exported = new List<StoredMemory>();
            await foreach (var memory in reopened.ReadAllAsync("alice", Ct))
            {
                exported.Add(memory);
            }

            Assert.Equal(aliceBefore.Count, exported.Count);
            var sister = exported.Single(m => m.Memory.Text == "My sister Anna lives in Lyon and works as a nurse");
            var expectedVector = Normalised(LexicalEmbedder.Embed(sister.Memory.Text));
            var actualVector = sister.Vector.ToArray();
            Assert.Equal(expectedVector.Length, actualVector.Length);
            for (var i = 0; i < expectedVector.Length; i++)
            {
                Assert.Equal(expectedVector[i], actualVector[i], 1e-6f);
            }

            Assert.Equal(["alice", "bob"], (await reopened.ListUsersAsync(Lexical, Ct)).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task DeleteTouchAndForgetPersistAcrossReopen()
    {
        Guid deleted, touched, untouched;
        var accessed = Start.AddDays(3).AddMilliseconds(123);
        using (var store = EmbeddedMemoryStore.Open(_directory))
        {
            deleted = await UpsertAsync(store, "alice", "delete me", Start);
            touched = await UpsertAsync(store, "alice", "touch me", Start.AddMinutes(1));
            untouched = await UpsertAsync(store, "alice", "leave me", Start.AddMinutes(2));
            await UpsertAsync(store, "bob", "bob's memory", Start);
            await UpsertAsync(store, "carol", "carol's memory", Start);
            await store.AppendTurnAsync("carol", "c1", "user", "hello", Start, Ct);
            await store.AppendTurnAsync("alice", "c1", "user", "hello", Start, Ct);

            Assert.False(await store.DeleteAsync("bob", deleted, Ct), "another user's memory is not deleted");
            Assert.True(await store.DeleteAsync("alice", deleted, Ct));
            await store.TouchAsync("alice", [touched], accessed, Ct);
            await store.TouchAsync("bob", [untouched], accessed, Ct);
            Assert.Equal(1, await store.DeleteUserAsync("carol", Ct));
        }

        using (var reopened = EmbeddedMemoryStore.Open(_directory))
        {
            Assert.Null(await reopened.GetAsync("alice", deleted, Ct));
            Assert.Equal(accessed, (await reopened.GetAsync("alice", touched, Ct))!.LastAccessedAt);
            Assert.Equal(Start.AddMinutes(1), (await reopened.GetAsync("alice", touched, Ct))!.CreatedAt);
            Assert.Equal(Start.AddMinutes(2), (await reopened.GetAsync("alice", untouched, Ct))!.LastAccessedAt);
            Assert.Equal(3, await reopened.CountAsync(Ct));
            Assert.Empty((await reopened.ListAsync("carol", null, 10, Ct)).Items);
            Assert.Empty(await reopened.GetTurnsAsync("carol", "c1", 10, Ct));
            Assert.Single(await reopened.GetTurnsAsync("alice", "c1", 10, Ct));

            // The deleted memory is gone from the vector index too, and the touched one is ranked with its new time.
            var matches = await reopened.SearchAsync("alice", Lexical, LexicalEmbedder.Embed("delete me"), 10, [], Ct);
            Assert.DoesNotContain(matches, m => m.Memory.Id == deleted);
            Assert.Equal(accessed, matches.Single(m => m.Memory.Id == touched).Memory.LastAccessedAt);

            // Appending after a reopen continues the sequence.
            Assert.Equal(2, (await reopened.AppendTurnAsync("alice", "c1", "assistant", "hi", Start, Ct)).Sequence);
        }
    }

    [Fact]
    public async Task AnUpsertReplacesTheMemoryAndItsVectorAcrossReopen()
    {
        var id = Guid.NewGuid();
        using (var store = EmbeddedMemoryStore.Open(_directory))
        {
            await store.UpsertAsync(Memory(id, "alice", "the first text about apples", Start), Ct);
            await store.UpsertAsync(Memory(id, "alice", "the second text about oranges", Start.AddMinutes(1)), Ct);
            Assert.Equal(1, await store.CountAsync(Ct));
        }

        using var reopened = EmbeddedMemoryStore.Open(_directory);
        Assert.Equal("the second text about oranges", (await reopened.GetAsync("alice", id, Ct))!.Text);
        var match = Assert.Single(await reopened.SearchAsync("alice", Lexical, LexicalEmbedder.Embed("the second text about oranges"), 10, [], Ct));
        Assert.Equal(1.0, match.Similarity, 5);
    }

    [Fact]
    public async Task VectorsOfDifferentEmbeddersNeverMix()
    {
        var other = new EmbedderDescriptor("test", "random", 8);
        using var store = EmbeddedMemoryStore.Open(_directory);
        var lexical = await UpsertAsync(store, "alice", "lexical memory", Start);
        var random = Guid.NewGuid();
        await store.UpsertAsync(new StoredMemory(new MemoryRecord(random, "alice", "random memory", MemoryKind.Fact, 0.5, [], Start, Start, other.Id), new float[] { 1, 0, 0, 0, 0, 0, 0, 0 }), Ct);

        Assert.Equal([lexical], (await store.SearchAsync("alice", Lexical, LexicalEmbedder.Embed("memory"), 10, [], Ct)).Select(m => m.Memory.Id));
        Assert.Equal([random], (await store.SearchAsync("alice", other, new float[] { 1, 0, 0, 0, 0, 0, 0, 0 }, 10, [], Ct)).Select(m => m.Memory.Id));
        Assert.Equal(2, (await store.ListAsync("alice", null, 10, Ct)).Items.Count);
    }

    [Theory]
    [InlineData(384, 1000, 5, 1)]
    [InlineData(384, 2000, 10, 2)]
    [InlineData(37, 500, 25, 3)]
    [InlineData(768, 300, 300, 4)]
    [InlineData(16, 40, 100, 5)]
    public void VectorCollectionSearchIsExactAgainstABruteForceScalarReference(int dimensions, int count, int limit, int seed)
    {
        var random = new Random(seed);
        var collection = new VectorCollection(dimensions);
        var vectors = new Dictionary<Guid, float[]>();
        var records = new Dictionary<Guid, MemoryRecord>();
        for (var i = 0; i < count; i++)
        {
            var id = Guid.NewGuid();
            var vector = RandomVector(random, dimensions);
            var record = new MemoryRecord(id, "u", $"m{i}", MemoryKind.Fact, 0.5, i % 4 == 0 ? ["even", "four"] : i % 2 == 0 ? ["even"] : [], Start, Start, "test");
            collection.Upsert(record, vector);
            vectors[id] = vector;
            records[id] = record;
        }

        // Removals move the last vector into the hole; replacements overwrite in place. Search must not notice.
        foreach (var id in vectors.Keys.Where((_, i) => i % 7 == 3).ToList())
        {
            Assert.True(collection.Remove(id));
            vectors.Remove(id);
            records.Remove(id);
        }

        foreach (var id in vectors.Keys.Where((_, i) => i % 11 == 5).ToList())
        {
            vectors[id] = RandomVector(random, dimensions);
            collection.Upsert(records[id], vectors[id]);
        }

        Assert.Equal(vectors.Count, collection.Count);
        for (var q = 0; q < 20; q++)
        {
            var query = RandomVector(random, dimensions);
            string[] tags = (q % 3) switch { 0 => [], 1 => ["even"], _ => ["even", "four"] };
            var expected = vectors
                .Where(v => tags.All(records[v.Key].Tags.Contains))
                .Select(v => (Id: v.Key, Similarity: ScalarCosine(query, v.Value)))
                .OrderByDescending(m => m.Similarity)
                .Take(limit)
                .ToList();

            var actual = collection.Search(query, limit, tags);

            Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Similarity, actual[i].Similarity, 1e-5);

                // Identical ids, except where two scores are too close for float arithmetic to order them the same way.
                if (actual[i].Memory.Id != expected[i].Id)
                {
                    Assert.Equal(ScalarCosine(query, vectors[actual[i].Memory.Id]), expected[i].Similarity, 1e-5);
                }
            }

            Assert.Equal(expected.Select(m => m.Id).Order(), actual.Select(m => m.Memory.Id).Order());
        }
    }

    [Fact]
    public void VectorCollectionSearchOfAnEmptyCollectionFindsNothing()
    {
        var collection = new VectorCollection(4);
        Assert.Empty(collection.Search(new float[] { 1, 2, 3, 4 }, 5, []));
    }

    private static async Task SeedAsync(EmbeddedMemoryStore store)
    {
        string[] texts =
        [
            "My sister Anna lives in Lyon and works as a nurse",
            "The quarterly tax report is due on Friday",
            "I prefer green tea to coffee",
            "My brother Tom lives in Paris",
            "We talked about the trip to Lyon on Monday",
        ];
        for (var i = 0; i < 40; i++)
        {
            var text = i < texts.Length ? texts[i] : $"memory number {i} about {texts[i % texts.Length]}";
            await store.UpsertAsync(Memory(Guid.NewGuid(), i % 4 == 3 ? "bob" : "alice", text, Start.AddSeconds(i), i % 2 == 0 ? ["even"] : []), Ct);
        }

        for (var i = 0; i < 5; i++)
        {
            await store.UpsertAsync(Memory(Guid.NewGuid(), "alice", $"late memory {i}", Start.AddHours(1)), Ct);
        }
    }

    private static async Task<List<(string User, string Query, List<(Guid Id, double Similarity)> Matches)>> SearchAllAsync(EmbeddedMemoryStore store, string[] queries)
    {
        var results = new List<(string, string, List<(Guid, double)>)>();
        foreach (var user in new[] { "alice", "bob", "nobody" })
        {
            foreach (var query in queries)
            {
                foreach (var tags in new[] { Array.Empty<string>(), ["even"] })
                {
                    var matches = await store.SearchAsync(user, Lexical, LexicalEmbedder.Embed(query), 7, tags, Ct);
                    Assert.All(matches, m => Assert.Equal(user, m.Memory.UserId));
                    results.Add((user, query, matches.Select(m => (m.Memory.Id, m.Similarity)).ToList()));
                }
            }
        }

        Assert.Contains(results, r => r.Item3.Count > 0);
        return results;
    }

    private static async Task<List<MemoryRecord>> ListAllAsync(EmbeddedMemoryStore store, string userId)
    {
        var all = new List<MemoryRecord>();
        string? cursor = null;
        do
        {
            var page = await store.ListAsync(userId, cursor, 4, Ct);
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(all.Count, all.Select(m => m.Id).Distinct().Count());
        Assert.Equal(all.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Select(m => m.Id), all.Select(m => m.Id));
        return all;
    }

    private static async Task<Guid> UpsertAsync(EmbeddedMemoryStore store, string userId, string text, DateTimeOffset at)
    {
        var id = Guid.NewGuid();
        await store.UpsertAsync(Memory(id, userId, text, at), Ct);
        return id;
    }

    private static StoredMemory Memory(Guid id, string userId, string text, DateTimeOffset at, string[]? tags = null) =>
        new(new MemoryRecord(id, userId, text, MemoryKind.Episode, 0.25, tags ?? ["t"], at, at, Lexical.Id), LexicalEmbedder.Embed(text));

    private static void AssertSameRecord(MemoryRecord expected, MemoryRecord actual)
    {
        Assert.Equal(expected with { Tags = [] }, actual with { Tags = [] });
        Assert.Equal(expected.Tags, actual.Tags);
    }

    private static float[] Normalised(float[] vector)
    {
        var norm = (float)Math.Sqrt(vector.Sum(x => (double)x * x));
        return [.. vector.Select(x => x / norm)];
    }

    private static float[] RandomVector(Random random, int dimensions)
    {
        var vector = new float[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            vector[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return vector;
    }

    /// <summary>The naive reference: cosine similarity one element at a time, in double precision.</summary>
    private static double ScalarCosine(float[] a, float[] b)
    {
        double dot = 0, normA = 0, normB = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            normA += (double)a[i] * a[i];
            normB += (double)b[i] * b[i];
        }

        return dot / (Math.Sqrt(normA) * Math.Sqrt(normB));
    }
}
