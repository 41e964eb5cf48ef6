using Jarvis.Memory.Conversations;
using Jarvis.Memory.Memories;

namespace Jarvis.Memory.Storage;

/// <summary>
/// Where memories and conversation turns live: the embedded store on local disk, or Qdrant. Every operation is scoped
/// to one user. Vectors of different embedders never mix: each embedder has its own collection, named by
/// <see cref="EmbedderDescriptor.Id"/>.
/// </summary>
public interface IMemoryStore
{
    /// <summary>The backend, as spans (<c>db.system</c>) and health name it: <c>embedded</c> or <c>qdrant</c>.</summary>
    string Backend { get; }

    /// <summary>Creates what the embedder's collection needs (vector size, cosine distance, the user index) if missing.</summary>
    Task EnsureCollectionAsync(EmbedderDescriptor embedder, CancellationToken cancellationToken);

    /// <summary>Stores or replaces a memory (by id) in its embedder's collection; returns once it is durable.</summary>
    Task UpsertAsync(StoredMemory memory, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the memory in its embedder's collection and then removes it from every other one (re-embedding): it is
    /// never missing from both, and ends in exactly one.
    /// </summary>
    Task MoveAsync(StoredMemory memory, CancellationToken cancellationToken);

    /// <summary>The user's memories most similar to <paramref name="query"/> (cosine), best first, at most <paramref name="limit"/>; with tags, only memories having all of them.</summary>
    Task<IReadOnlyList<VectorMatch>> SearchAsync(string userId, EmbedderDescriptor embedder, ReadOnlyMemory<float> query, int limit, IReadOnlyCollection<string> tags, CancellationToken cancellationToken);

    /// <summary>One memory of the user, or null (also when it belongs to someone else).</summary>
    Task<MemoryRecord?> GetAsync(string userId, Guid id, CancellationToken cancellationToken);

    /// <summary>The user's memories, newest first, a page at a time; the cursor is opaque.</summary>
    Task<MemoryPage> ListAsync(string userId, string? cursor, int limit, CancellationToken cancellationToken);

    /// <summary>Every memory of the user with its vector, for export and re-embedding.</summary>
    IAsyncEnumerable<StoredMemory> ReadAllAsync(string userId, CancellationToken cancellationToken);

    /// <summary>The ids of users who have memories in the embedder's collection (for re-embedding).</summary>
    Task<IReadOnlyList<string>> ListUsersAsync(EmbedderDescriptor embedder, CancellationToken cancellationToken);

    /// <summary>Deletes one memory of the user; false when there is none.</summary>
    Task<bool> DeleteAsync(string userId, Guid id, CancellationToken cancellationToken);

    /// <summary>Deletes every memory and conversation turn of the user; returns how many memories went.</summary>
    Task<long> DeleteUserAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Sets the last-access time of recalled memories (their recency clock).</summary>
    Task TouchAsync(string userId, IReadOnlyCollection<Guid> ids, DateTimeOffset accessedAt, CancellationToken cancellationToken);

    /// <summary>How many memories the store holds, across users and embedders.</summary>
    Task<long> CountAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Appends turns, in order, each to its user's conversation, all at once (every one of them or none) and durably;
    /// returns them with their sequence numbers.
    /// </summary>
    Task<IReadOnlyList<ConversationTurn>> AppendTurnsAsync(IReadOnlyList<NewTurn> turns, DateTimeOffset createdAt, CancellationToken cancellationToken);

    /// <summary>The last <paramref name="last"/> turns of the user's conversation, oldest first.</summary>
    Task<IReadOnlyList<ConversationTurn>> GetTurnsAsync(string userId, string conversationId, int last, CancellationToken cancellationToken);

    /// <summary>
    /// The user's conversations, the most recently active first, at most <paramref name="limit"/>: each with its first
    /// user message (its title), its last activity and its number of turns.
    /// </summary>
    Task<IReadOnlyList<ConversationSummary>> ListConversationsAsync(string userId, int limit, CancellationToken cancellationToken);

    /// <summary>The LLM tokens the user has used on <paramref name="day"/> (a UTC day); 0 when none.</summary>
    Task<long> GetTokenUsageAsync(string userId, DateOnly day, CancellationToken cancellationToken);

    /// <summary>Adds <paramref name="tokens"/> to the user's count for <paramref name="day"/>; returns the new count once it is durable.</summary>
    Task<long> AddTokenUsageAsync(string userId, DateOnly day, long tokens, CancellationToken cancellationToken);

    /// <summary>Answers when the backend is reachable and usable; throws with the reason otherwise.</summary>
    Task CheckHealthAsync(CancellationToken cancellationToken);
}

/// <summary>
/// An embedder's identity: its vectors live in their own collection, <see cref="Id"/>, such as <c>lexical-v1-384</c> or
/// <c>ollama-nomic-embed-text-768</c>.
/// </summary>
/// <param name="Provider">Who computes the vectors: <c>lexical</c> or <c>ollama</c>.</param>
/// <param name="Model">The model (or algorithm version) name.</param>
/// <param name="Dimensions">The vector size.</param>
public sealed record EmbedderDescriptor(string Provider, string Model, int Dimensions)
{
    /// <summary>The collection name: provider, model and size, lower case, with anything but letters and digits as '-'.</summary>
    public string Id { get; } = Sanitize($"{Provider}-{Model}-{Dimensions}");

    private static string Sanitize(string value) =>
        new([.. value.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]);
}

/// <summary>A turn to append: who said what in which of the user's conversations.</summary>
/// <param name="UserId">The owner of the conversation.</param>
/// <param name="ConversationId">The conversation.</param>
/// <param name="Role">Who spoke: <c>user</c>, <c>assistant</c>, <c>system</c> or <c>tool</c>.</param>
/// <param name="Text">What was said.</param>
public sealed record NewTurn(string UserId, string ConversationId, string Role, string Text);

/// <summary>Single-turn shorthands over <see cref="IMemoryStore"/>.</summary>
public static class MemoryStoreExtensions
{
    /// <summary>Appends one turn to the user's conversation and returns it with its sequence number.</summary>
    public static async Task<ConversationTurn> AppendTurnAsync(
        this IMemoryStore store, string userId, string conversationId, string role, string text, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var appended = await store.AppendTurnsAsync([new NewTurn(userId, conversationId, role, text)], createdAt, cancellationToken);
        return appended[0];
    }
}
