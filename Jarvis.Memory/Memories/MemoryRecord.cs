using System.Text.Json.Serialization;

namespace Jarvis.Memory.Memories;

/// <summary>What kind of thing a memory is.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MemoryKind>))]
public enum MemoryKind
{
    /// <summary>Something true about the user or the world ("my sister lives in Lyon").</summary>
    [JsonStringEnumMemberName("fact")]
    Fact,

    /// <summary>A like or dislike ("I prefer tea").</summary>
    [JsonStringEnumMemberName("preference")]
    Preference,

    /// <summary>Something that happened ("we talked about the trip on Monday").</summary>
    [JsonStringEnumMemberName("episode")]
    Episode,
}

/// <summary>One memory of one user, without its vector.</summary>
/// <param name="Id">The memory id.</param>
/// <param name="UserId">The owner; every read and write is scoped to it.</param>
/// <param name="Text">What is remembered (at most 8 KiB of UTF-8).</param>
/// <param name="Kind">Fact, preference or episode.</param>
/// <param name="Importance">0 (trivial) to 1 (essential).</param>
/// <param name="Tags">Free labels, used to filter searches.</param>
/// <param name="CreatedAt">When it was stored.</param>
/// <param name="LastAccessedAt">When it was last stored or recalled: the clock of its recency.</param>
/// <param name="Embedder">The embedder whose vector space the memory's vector is in.</param>
public sealed record MemoryRecord(
    Guid Id,
    string UserId,
    string Text,
    MemoryKind Kind,
    double Importance,
    IReadOnlyList<string> Tags,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastAccessedAt,
    string Embedder);

/// <summary>A memory with its embedding, as a store keeps it.</summary>
public sealed record StoredMemory(MemoryRecord Memory, ReadOnlyMemory<float> Vector);

/// <summary>A memory found by vector search, with the cosine similarity of its vector to the query's.</summary>
public sealed record VectorMatch(MemoryRecord Memory, double Similarity);

/// <summary>One page of a user's memories, newest first; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record MemoryPage(IReadOnlyList<MemoryRecord> Items, string? NextCursor);
