namespace Jarvis.Memory.Memories;

/// <summary>The body of <c>POST /api/memories</c>.</summary>
public sealed record StoreMemoryRequest(string? UserId, string? Text, string? Kind, double? Importance, IReadOnlyList<string>? Tags);

/// <summary>The answer to a store: the memory's id, when it was stored, and the embedder that embedded it.</summary>
public sealed record StoreMemoryResponse(Guid Id, DateTimeOffset CreatedAt, string Embedder);

/// <summary>The body of <c>POST /api/memories/search</c>.</summary>
public sealed record SearchMemoriesRequest(string? UserId, string? Query, int? Limit, double? MinScore, IReadOnlyList<string>? Tags);

/// <summary>One recalled memory with its score and the score's components.</summary>
public sealed record SearchHit(Guid Id, string Text, MemoryKind Kind, IReadOnlyList<string> Tags, DateTimeOffset CreatedAt, double Score, double Relevance, double Recency, double Importance);

/// <summary>The answer to a search: the embedder used and the results, best first.</summary>
public sealed record SearchMemoriesResponse(string Embedder, IReadOnlyList<SearchHit> Results);

/// <summary>A memory as the API shows it.</summary>
public sealed record MemoryResponse(Guid Id, string UserId, string Text, MemoryKind Kind, double Importance, IReadOnlyList<string> Tags, DateTimeOffset CreatedAt, DateTimeOffset LastAccessedAt, string Embedder)
{
    /// <summary>The API's view of a stored memory.</summary>
    public static MemoryResponse From(MemoryRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(record.Id, record.UserId, record.Text, record.Kind, record.Importance, record.Tags, record.CreatedAt, record.LastAccessedAt, record.Embedder);
    }
}

/// <summary>A page of memories, newest first; pass <see cref="NextCursor"/> back as <c>cursor</c> for the next page.</summary>
public sealed record MemoryListResponse(IReadOnlyList<MemoryResponse> Items, string? NextCursor);

/// <summary>Everything stored about a user.</summary>
public sealed record UserExport(string UserId, DateTimeOffset ExportedAt, IReadOnlyList<MemoryResponse> Memories);

/// <summary>How many memories were forgotten.</summary>
public sealed record ForgetResponse(string UserId, long Deleted);

/// <summary>How many of the user's memories moved to the current embedder.</summary>
public sealed record ReembedResponse(string UserId, string Embedder, int Moved);
