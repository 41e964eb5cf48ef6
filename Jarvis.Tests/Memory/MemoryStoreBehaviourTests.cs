using Jarvis.Memory.Conversations;
using Jarvis.Memory.Memories;
using Jarvis.Memory.Storage;

namespace Jarvis.Tests.Memory;

/// <summary>
/// What every <see cref="IMemoryStore"/> must do, whatever its backend: each backend's test class derives from this one
/// and says how to make a fresh, empty store. Only the interface is used, so the same tests hold every backend to the
/// same contract: per-user isolation, cosine ranking, newest-first paging, per-embedder collections, conversation turns.
/// </summary>
public abstract class MemoryStoreBehaviourTests : IAsyncLifetime
{
    /// <summary>The main embedder of the tests: 4 dimensions.</summary>
    protected static readonly EmbedderDescriptor Embedder = new("test", "unit", 4);

    /// <summary>A second embedder with another size, whose memories must never mix with <see cref="Embedder"/>'s.</summary>
    protected static readonly EmbedderDescriptor OtherEmbedder = new("test", "other", 3);

    /// <summary>The time the tests' memories are created around.</summary>
    protected static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private IMemoryStore? _store;

    /// <summary>The store under test, fresh and empty for each test.</summary>
    protected IMemoryStore Store => _store ?? throw new InvalidOperationException("The store is made in InitializeAsync.");

    /// <summary>The test's cancellation token.</summary>
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Makes a fresh, empty store of the backend under test.</summary>
    protected abstract Task<IMemoryStore> CreateStoreAsync();

    /// <summary>Releases what <see cref="CreateStoreAsync"/> made (the store itself is disposed before, if disposable).</summary>
    protected virtual ValueTask CleanupAsync() => ValueTask.CompletedTask;

    public async ValueTask InitializeAsync()
    {
        _store = await CreateStoreAsync();
        await _store.EnsureCollectionAsync(Embedder, Ct);
        await _store.EnsureCollectionAsync(OtherEmbedder, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        switch (_store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }

        await CleanupAsync();
        GC.SuppressFinalize(this);
    }

    // ---- store and get ----

    [Fact]
    public async Task Upsert_then_get_returns_the_memory_with_every_field()
    {
        var memory = Memory("alice", "my sister lives in Lyon", [1, 0, 0, 0], T0, ["family", "places"], MemoryKind.Fact, 0.75, lastAccessed: T0.AddHours(1));
        await Store.UpsertAsync(memory, Ct);

        var got = await Store.GetAsync("alice", memory.Memory.Id, Ct);

        AssertSame(memory.Memory, got);
    }

    [Fact]
    public async Task Get_of_an_unknown_id_is_null()
    {
        await Store.UpsertAsync(Memory("alice", "tea", [1, 0, 0, 0], T0), Ct);

        Assert.Null(await Store.GetAsync("alice", Guid.NewGuid(), Ct));
    }

    [Fact]
    public async Task Upsert_with_the_same_id_replaces_the_memory_and_its_vector()
    {
        var first = Memory("alice", "I like tea", [1, 0, 0, 0], T0, ["drinks"]);
        await Store.UpsertAsync(first, Ct);
        var replaced = first with
        {
            Memory = first.Memory with { Text = "I like coffee", Tags = ["coffee"], Importance = 0.9, Kind = MemoryKind.Preference },
            Vector = new float[] { 0, 1, 0, 0 },
        };

        await Store.UpsertAsync(replaced, Ct);

        AssertSame(replaced.Memory, await Store.GetAsync("alice", first.Memory.Id, Ct));
        Assert.Equal(1, await Store.CountAsync(Ct));
        var found = Assert.Single(await Store.SearchAsync("alice", Embedder, new float[] { 0, 1, 0, 0 }, 5, [], Ct));
        Assert.Equal("I like coffee", found.Memory.Text);
        Assert.Equal(1, found.Similarity, 3);
        Assert.Empty(await Store.SearchAsync("alice", Embedder, new float[] { 1, 0, 0, 0 }, 5, ["drinks"], Ct));
    }

    // ---- search ----

    [Fact]
    public async Task Search_ranks_by_cosine_similarity_best_first_and_respects_the_limit()
    {
        var exact = Memory("alice", "exact", [1, 0, 0, 0], T0);
        var close = Memory("alice", "close", [0.8f, 0.6f, 0, 0], T0.AddMinutes(1));
        var far = Memory("alice", "far", [0.6f, 0.8f, 0, 0], T0.AddMinutes(2));
        var orthogonal = Memory("alice", "orthogonal", [0, 0, 1, 0], T0.AddMinutes(3));
        foreach (var memory in new[] { orthogonal, far, exact, close })
        {
            await Store.UpsertAsync(memory, Ct);
        }

        var all = await Store.SearchAsync("alice", Embedder, new float[] { 1, 0, 0, 0 }, 10, [], Ct);
        var top2 = await Store.SearchAsync("alice", Embedder, new float[] { 1, 0, 0, 0 }, 2, [], Ct);

        Assert.Equal(["exact", "close", "far", "orthogonal"], all.Select(match => match.Memory.Text));
        Assert.Equal([1.0, 0.8, 0.6, 0.0], all.Select(match => Math.Round(match.Similarity, 3)));
        Assert.Equal(["exact", "close"], top2.Select(match => match.Memory.Text));
    }

    [Fact]
    public async Task Similarity_is_the_cosine_not_the_dot_product()
    {
        // Long vectors must not win by their length: [10, 10, 0, 0] has the larger dot product, [2, 0.2, 0, 0] the larger cosine.
        await Store.UpsertAsync(Memory("alice", "long but off", [10, 10, 0, 0], T0), Ct);
        await Store.UpsertAsync(Memory("alice", "short but aligned", [2, 0.2f, 0, 0], T0), Ct);

        var matches = await Store.SearchAsync("alice", Embedder, new float[] { 3, 0, 0, 0 }, 5, [], Ct);

        Assert.Equal(["short but aligned", "long but off"], matches.Select(match => match.Memory.Text));
        Assert.Equal(2 / Math.Sqrt(4.04), matches[0].Similarity, 3);
        Assert.Equal(Math.Sqrt(0.5), matches[1].Similarity, 3);
    }

    [Fact]
    public async Task Search_with_tags_returns_only_memories_having_all_of_them()
    {
        await Store.UpsertAsync(Memory("alice", "both", [1, 0, 0, 0], T0, ["family", "lyon"]), Ct);
        await Store.UpsertAsync(Memory("alice", "family only", [1, 0, 0, 0], T0, ["family"]), Ct);
        await Store.UpsertAsync(Memory("alice", "lyon only", [1, 0, 0, 0], T0, ["lyon"]), Ct);
        await Store.UpsertAsync(Memory("alice", "none", [1, 0, 0, 0], T0), Ct);

        var family = await Store.SearchAsync("alice", Embedder, new float[] { 1, 0, 0, 0 }, 10, ["family"], Ct);
        var both = await Store.SearchAsync("alice", Embedder, new float[] { 1, 0, 0, 0 }, 10, ["family", "lyon"], Ct);
        var unknown = await Store.SearchAsync("alice", Embedder, new float[] { 1, 0, 0, 0 }, 10, ["work"], Ct);

        Assert.Equal(["both", "family only"], family.Select(match => match.Memory.Text).Order(StringComparer.Ordinal));
        Assert.Equal(["both"], both.Select(match => match.Memory.Text));
        Assert.Empty(unknown);
    }

    [Fact]
    public async Task Search_in_an_embedder_without_memories_is_empty()
    {
        Assert.Empty(await Store.SearchAsync("alice", Embedder, new float[] { 1, 0, 0, 0 }, 5, [], Ct));
    }

    // ---- isolation ----

    [Fact]
    public async Task Another_user_can_never_get_list_search_export_or_count_as_theirs_a_users_memories()
    {
        var secret = Memory("alice", "alice's secret", [1, 0, 0, 0], T0, ["private"]);
        await Store.UpsertAsync(secret, Ct);
        await Store.UpsertAsync(Memory("alice", "alice's other", [0, 1, 0], T0, [], embedder: OtherEmbedder), Ct);

        Assert.Null(await Store.GetAsync("bob", secret.Memory.Id, Ct));
        Assert.Empty((await Store.ListAsync("bob", null, 50, Ct)).Items);
        Assert.Empty(await Store.SearchAsync("bob", Embedder, new float[] { 1, 0, 0, 0 }, 50, [], Ct));
        Assert.Empty(await Store.SearchAsync("bob", Embedder, new float[] { 1, 0, 0, 0 }, 50, ["private"], Ct));
        Assert.Empty(await Store.SearchAsync("bob", OtherEmbedder, new float[] { 0, 1, 0 }, 50, [], Ct));
        Assert.Empty(await ReadAllAsync("bob"));
        Assert.DoesNotContain("bob", await Store.ListUsersAsync(Embedder, Ct));
    }

    [Fact]
    public async Task Another_user_can_never_delete_or_touch_a_users_memory_even_knowing_its_id()
    {
        var secret = Memory("alice", "alice's secret", [1, 0, 0, 0], T0);
        await Store.UpsertAsync(secret, Ct);
        await Store.UpsertAsync(Memory("bob", "bob's own", [1, 0, 0, 0], T0), Ct);

        Assert.False(await Store.DeleteAsync("bob", secret.Memory.Id, Ct));
        await Store.TouchAsync("bob", [secret.Memory.Id], T0.AddDays(3), Ct);
        Assert.Equal(1, await Store.DeleteUserAsync("bob", Ct));

        AssertSame(secret.Memory, await Store.GetAsync("alice", secret.Memory.Id, Ct));
        Assert.Single(await Store.SearchAsync("alice", Embedder, new float[] { 1, 0, 0, 0 }, 5, [], Ct));
    }

    [Fact]
    public async Task A_users_id_that_is_a_prefix_or_differs_in_case_is_another_user()
    {
        await Store.UpsertAsync(Memory("alice", "alice's", [1, 0, 0, 0], T0), Ct);

        foreach (var other in new[] { "Alice", "alic", "alice ", "alice2" })
        {
            Assert.Empty((await Store.ListAsync(other, null, 10, Ct)).Items);
            Assert.Empty(await Store.SearchAsync(other, Embedder, new float[] { 1, 0, 0, 0 }, 10, [], Ct));
        }
    }

    // ---- listing ----

    [Fact]
    public async Task List_pages_newest_first_with_no_duplicates_or_gaps_even_with_equal_creation_times()
    {
        // 25 memories in groups of three sharing a creation time, so page boundaries fall inside ties.
        var memories = Enumerable.Range(0, 25)
            .Select(i => Memory("alice", $"memory {i}", [1, i, 0, 0], T0.AddMinutes(i / 3)))
            .ToList();
        foreach (var memory in memories.OrderBy(_ => Random.Shared.Next()))
        {
            await Store.UpsertAsync(memory, Ct);
        }

        await Store.UpsertAsync(Memory("bob", "bob's", [1, 0, 0, 0], T0.AddHours(1)), Ct);

        var listed = new List<MemoryRecord>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Store.ListAsync("alice", cursor, 4, Ct);
            Assert.InRange(page.Items.Count, 1, 4);
            listed.AddRange(page.Items);
            cursor = page.NextCursor;
            pages++;
            Assert.True(pages <= 7, "the listing does not end");
        }
        while (cursor is not null);

        Assert.Equal(7, pages);
        Assert.Equal(25, listed.Count);
        Assert.Equal(25, listed.Select(memory => memory.Id).Distinct().Count());
        Assert.Equal(memories.Select(memory => memory.Memory.Id).Order(), listed.Select(memory => memory.Id).Order());
        Assert.Equal(listed.Select(memory => memory.CreatedAt).OrderDescending(), listed.Select(memory => memory.CreatedAt));
        Assert.All(listed, memory => Assert.Equal("alice", memory.UserId));
    }

    [Fact]
    public async Task List_of_exactly_one_page_has_no_next_cursor()
    {
        for (var i = 0; i < 3; i++)
        {
            await Store.UpsertAsync(Memory("alice", $"m{i}", [1, 0, 0, 0], T0.AddMinutes(i)), Ct);
        }

        var page = await Store.ListAsync("alice", null, 3, Ct);

        Assert.Equal(["m2", "m1", "m0"], page.Items.Select(memory => memory.Text));
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task List_covers_the_memories_of_every_embedder_newest_first()
    {
        await Store.UpsertAsync(Memory("alice", "oldest", [1, 0, 0, 0], T0), Ct);
        await Store.UpsertAsync(Memory("alice", "middle", [1, 0, 0], T0.AddMinutes(1), embedder: OtherEmbedder), Ct);
        await Store.UpsertAsync(Memory("alice", "newest", [1, 0, 0, 0], T0.AddMinutes(2)), Ct);

        var first = await Store.ListAsync("alice", null, 2, Ct);
        var second = await Store.ListAsync("alice", first.NextCursor, 2, Ct);

        Assert.Equal(["newest", "middle"], first.Items.Select(memory => memory.Text));
        Assert.Equal(["oldest"], second.Items.Select(memory => memory.Text));
        Assert.Null(second.NextCursor);
    }

    // ---- delete ----

    [Fact]
    public async Task Delete_removes_one_memory_and_says_whether_there_was_one()
    {
        var gone = Memory("alice", "to forget", [1, 0, 0, 0], T0);
        var kept = Memory("alice", "to keep", [1, 0, 0, 0], T0);
        await Store.UpsertAsync(gone, Ct);
        await Store.UpsertAsync(kept, Ct);

        Assert.True(await Store.DeleteAsync("alice", gone.Memory.Id, Ct));
        Assert.False(await Store.DeleteAsync("alice", gone.Memory.Id, Ct));

        Assert.Null(await Store.GetAsync("alice", gone.Memory.Id, Ct));
        Assert.NotNull(await Store.GetAsync("alice", kept.Memory.Id, Ct));
        Assert.Equal(["to keep"], (await Store.SearchAsync("alice", Embedder, new float[] { 1, 0, 0, 0 }, 5, [], Ct)).Select(match => match.Memory.Text));
        Assert.Equal(1, await Store.CountAsync(Ct));
    }

    [Fact]
    public async Task DeleteUser_removes_the_users_memories_and_turns_and_nothing_of_anyone_else()
    {
        await Store.UpsertAsync(Memory("alice", "a1", [1, 0, 0, 0], T0), Ct);
        await Store.UpsertAsync(Memory("alice", "a2", [0, 1, 0], T0, embedder: OtherEmbedder), Ct);
        await Store.UpsertAsync(Memory("alice", "a3", [0, 1, 0, 0], T0), Ct);
        var bobs = Memory("bob", "b1", [1, 0, 0, 0], T0);
        await Store.UpsertAsync(bobs, Ct);
        await Store.AppendTurnAsync("alice", "c1", "user", "hello", T0, Ct);
        await Store.AppendTurnAsync("bob", "c1", "user", "hi", T0, Ct);

        Assert.Equal(3, await Store.DeleteUserAsync("alice", Ct));

        Assert.Empty((await Store.ListAsync("alice", null, 10, Ct)).Items);
        Assert.Empty(await ReadAllAsync("alice"));
        Assert.Empty(await Store.GetTurnsAsync("alice", "c1", 10, Ct));
        Assert.DoesNotContain("alice", await Store.ListUsersAsync(Embedder, Ct));
        Assert.NotNull(await Store.GetAsync("bob", bobs.Memory.Id, Ct));
        Assert.Equal(["hi"], (await Store.GetTurnsAsync("bob", "c1", 10, Ct)).Select(turn => turn.Text));
        Assert.Equal(1, await Store.CountAsync(Ct));
        Assert.Equal(0, await Store.DeleteUserAsync("alice", Ct));
    }

    [Fact]
    public async Task A_conversation_started_after_DeleteUser_starts_again_at_one()
    {
        await Store.AppendTurnAsync("alice", "c1", "user", "before", T0, Ct);
        await Store.DeleteUserAsync("alice", Ct);

        var turn = await Store.AppendTurnAsync("alice", "c1", "user", "after", T0.AddMinutes(1), Ct);

        Assert.Equal(1, turn.Sequence);
    }

    // ---- touch and count ----

    [Fact]
    public async Task Touch_sets_the_last_access_time_of_the_given_memories_only()
    {
        var touched = Memory("alice", "recalled", [1, 0, 0, 0], T0);
        var untouched = Memory("alice", "not recalled", [1, 0, 0, 0], T0);
        await Store.UpsertAsync(touched, Ct);
        await Store.UpsertAsync(untouched, Ct);
        var accessedAt = T0.AddDays(2).AddMilliseconds(123);

        await Store.TouchAsync("alice", [touched.Memory.Id], accessedAt, Ct);

        var afterTouch = await Store.GetAsync("alice", touched.Memory.Id, Ct);
        Assert.Equal(accessedAt, afterTouch!.LastAccessedAt);
        Assert.Equal(T0, afterTouch.CreatedAt);
        Assert.Equal("recalled", afterTouch.Text);
        Assert.Equal(T0, (await Store.GetAsync("alice", untouched.Memory.Id, Ct))!.LastAccessedAt);
        var found = await Store.SearchAsync("alice", Embedder, new float[] { 1, 0, 0, 0 }, 5, [], Ct);
        Assert.Equal(accessedAt, found.Single(match => match.Memory.Id == touched.Memory.Id).Memory.LastAccessedAt);
    }

    [Fact]
    public async Task Touch_of_no_ids_or_unknown_ids_changes_nothing()
    {
        var memory = Memory("alice", "m", [1, 0, 0, 0], T0);
        await Store.UpsertAsync(memory, Ct);

        await Store.TouchAsync("alice", [], T0.AddDays(1), Ct);
        await Store.TouchAsync("alice", [Guid.NewGuid()], T0.AddDays(1), Ct);

        Assert.Equal(T0, (await Store.GetAsync("alice", memory.Memory.Id, Ct))!.LastAccessedAt);
        Assert.Equal(1, await Store.CountAsync(Ct));
    }

    [Fact]
    public async Task Count_counts_every_memory_across_users_and_embedders()
    {
        Assert.Equal(0, await Store.CountAsync(Ct));
        await Store.UpsertAsync(Memory("alice", "a", [1, 0, 0, 0], T0), Ct);
        await Store.UpsertAsync(Memory("bob", "b", [1, 0, 0, 0], T0), Ct);
        await Store.UpsertAsync(Memory("bob", "c", [1, 0, 0], T0, embedder: OtherEmbedder), Ct);
        await Store.AppendTurnAsync("bob", "c1", "user", "turns are not memories", T0, Ct);

        Assert.Equal(3, await Store.CountAsync(Ct));
    }

    // ---- embedders ----

    [Fact]
    public async Task Collections_of_different_embedders_never_mix()
    {
        var small = Memory("alice", "three dimensions", [1, 0, 0], T0, embedder: OtherEmbedder);
        var large = Memory("alice", "four dimensions", [1, 0, 0, 0], T0);
        await Store.UpsertAsync(small, Ct);
        await Store.UpsertAsync(large, Ct);
        await Store.UpsertAsync(Memory("carol", "carol's", [0, 1, 0], T0, embedder: OtherEmbedder), Ct);

        var inLarge = await Store.SearchAsync("alice", Embedder, new float[] { 1, 0, 0, 0 }, 10, [], Ct);
        var inSmall = await Store.SearchAsync("alice", OtherEmbedder, new float[] { 1, 0, 0 }, 10, [], Ct);

        Assert.Equal(["four dimensions"], inLarge.Select(match => match.Memory.Text));
        Assert.Equal(Embedder.Id, inLarge[0].Memory.Embedder);
        Assert.Equal(["three dimensions"], inSmall.Select(match => match.Memory.Text));
        Assert.Equal(OtherEmbedder.Id, inSmall[0].Memory.Embedder);
        Assert.Equal(["alice"], await Store.ListUsersAsync(Embedder, Ct));
        Assert.Equal(["alice", "carol"], (await Store.ListUsersAsync(OtherEmbedder, Ct)).Order(StringComparer.Ordinal));
        Assert.Equal(OtherEmbedder.Id, (await Store.GetAsync("alice", small.Memory.Id, Ct))!.Embedder);
    }

    [Fact]
    public async Task ReadAll_returns_every_memory_of_the_user_with_its_vector()
    {
        var memories = new[]
        {
            Memory("alice", "a", [3, 4, 0, 0], T0),
            Memory("alice", "b", [0, 0, 1, 1], T0.AddMinutes(1)),
            Memory("alice", "c", [1, 2, 2], T0.AddMinutes(2), embedder: OtherEmbedder),
        };
        foreach (var memory in memories)
        {
            await Store.UpsertAsync(memory, Ct);
        }

        await Store.UpsertAsync(Memory("bob", "b's", [1, 0, 0, 0], T0), Ct);

        var all = await ReadAllAsync("alice");

        Assert.Equal(3, all.Count);
        foreach (var expected in memories)
        {
            var read = Assert.Single(all, stored => stored.Memory.Id == expected.Memory.Id);
            AssertSame(expected.Memory, read.Memory);
            Assert.Equal(expected.Vector.Length, read.Vector.Length);

            // A backend may keep cosine vectors normalised (Qdrant does): the direction is what must survive.
            Assert.Equal(1, Cosine(expected.Vector.Span, read.Vector.Span), 4);
        }
    }

    [Fact]
    public async Task ReadAll_pages_through_many_memories()
    {
        var ids = new HashSet<Guid>();
        for (var i = 0; i < 300; i++)
        {
            var memory = Memory("alice", $"m{i}", [1, i, 0, 0], T0.AddSeconds(i));
            ids.Add(memory.Memory.Id);
            await Store.UpsertAsync(memory, Ct);
        }

        var all = await ReadAllAsync("alice");

        Assert.Equal(ids.Order(), all.Select(stored => stored.Memory.Id).Order());
    }

    // ---- conversation turns ----

    [Fact]
    public async Task Turns_get_increasing_sequence_numbers_and_the_last_n_come_oldest_first()
    {
        var appended = new List<long>();
        for (var i = 1; i <= 5; i++)
        {
            var turn = await Store.AppendTurnAsync("alice", "c1", i % 2 == 1 ? "user" : "assistant", $"turn {i}", T0.AddSeconds(i), Ct);
            Assert.Equal("c1", turn.ConversationId);
            Assert.Equal("alice", turn.UserId);
            appended.Add(turn.Sequence);
        }

        var last3 = await Store.GetTurnsAsync("alice", "c1", 3, Ct);
        var all = await Store.GetTurnsAsync("alice", "c1", 100, Ct);

        Assert.Equal([1L, 2, 3, 4, 5], appended);
        Assert.Equal(["turn 3", "turn 4", "turn 5"], last3.Select(turn => turn.Text));
        Assert.Equal([3L, 4, 5], last3.Select(turn => turn.Sequence));
        Assert.Equal(["user", "assistant", "user"], last3.Select(turn => turn.Role));
        Assert.Equal(T0.AddSeconds(5), last3[^1].CreatedAt);
        Assert.Equal(5, all.Count);
    }

    [Fact]
    public async Task Conversations_are_numbered_separately_and_belong_to_their_user()
    {
        await Store.AppendTurnAsync("alice", "c1", "user", "alice c1", T0, Ct);
        await Store.AppendTurnAsync("alice", "c1", "assistant", "alice c1 answer", T0.AddSeconds(1), Ct);
        var otherConversation = await Store.AppendTurnAsync("alice", "c2", "user", "alice c2", T0, Ct);
        var otherUser = await Store.AppendTurnAsync("bob", "c1", "user", "bob c1", T0, Ct);

        Assert.Equal(1, otherConversation.Sequence);
        Assert.Equal(1, otherUser.Sequence);
        Assert.Equal(["alice c1", "alice c1 answer"], (await Store.GetTurnsAsync("alice", "c1", 10, Ct)).Select(turn => turn.Text));
        Assert.Equal(["bob c1"], (await Store.GetTurnsAsync("bob", "c1", 10, Ct)).Select(turn => turn.Text));
        Assert.Empty(await Store.GetTurnsAsync("carol", "c1", 10, Ct));
        Assert.Empty(await Store.GetTurnsAsync("alice", "c3", 10, Ct));
    }

    [Fact]
    public async Task Concurrent_appends_to_one_conversation_get_distinct_sequence_numbers()
    {
        var turns = await Task.WhenAll(Enumerable.Range(0, 10)
            .Select(i => Store.AppendTurnAsync("alice", "c1", "user", $"t{i}", T0.AddSeconds(i), Ct)));

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), turns.Select(turn => turn.Sequence).Order());
        Assert.Equal(10, (await Store.GetTurnsAsync("alice", "c1", 100, Ct)).Select(turn => turn.Sequence).Distinct().Count());
    }

    [Fact]
    public async Task Concurrent_appends_to_many_conversations_are_all_durable_and_numbered_per_conversation()
    {
        // Writes that share a group commit each get their own result.
        var turns = await Task.WhenAll(Enumerable.Range(0, 64)
            .Select(i => Store.AppendTurnAsync("alice", $"c{i % 4}", "user", $"t{i}", T0.AddSeconds(i), Ct)));

        foreach (var conversation in turns.GroupBy(turn => turn.ConversationId))
        {
            Assert.Equal(Enumerable.Range(1, 16).Select(i => (long)i), conversation.Select(turn => turn.Sequence).Order());
            var stored = await Store.GetTurnsAsync("alice", conversation.Key, 100, Ct);
            Assert.Equal(conversation.OrderBy(turn => turn.Sequence).Select(turn => turn.Text), stored.Select(turn => turn.Text));
        }
    }

    [Fact]
    public async Task Turns_appended_together_are_numbered_in_order_within_each_conversation()
    {
        await Store.AppendTurnAsync("alice", "c1", "user", "first", T0, Ct);

        var appended = await Store.AppendTurnsAsync(
            [
                new NewTurn("alice", "c1", "user", "hello"),
                new NewTurn("bob", "c1", "user", "hi"),
                new NewTurn("alice", "c1", "assistant", "Hello!"),
                new NewTurn("alice", "c2", "user", "other"),
                new NewTurn("bob", "c1", "assistant", "Hi!"),
            ],
            T0.AddSeconds(1), Ct);

        Assert.Equal(
            [("alice", "c1", 2L, "hello"), ("bob", "c1", 1L, "hi"), ("alice", "c1", 3L, "Hello!"), ("alice", "c2", 1L, "other"), ("bob", "c1", 2L, "Hi!")],
            appended.Select(turn => (turn.UserId, turn.ConversationId, turn.Sequence, turn.Text)));
        Assert.Equal(["first", "hello", "Hello!"], (await Store.GetTurnsAsync("alice", "c1", 10, Ct)).Select(turn => turn.Text));
        Assert.Equal(["hi", "Hi!"], (await Store.GetTurnsAsync("bob", "c1", 10, Ct)).Select(turn => turn.Text));
        Assert.All(appended, turn => Assert.Equal(T0.AddSeconds(1), turn.CreatedAt));
        Assert.Equal(4, (await Store.AppendTurnAsync("alice", "c1", "user", "next", T0.AddSeconds(2), Ct)).Sequence);
    }

    [Fact]
    public async Task Concurrent_batches_of_turns_keep_each_batch_in_order_and_every_number_distinct()
    {
        var batches = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Store.AppendTurnsAsync(
            [new NewTurn("alice", "c1", "user", $"q{i}"), new NewTurn("alice", "c1", "assistant", $"a{i}")], T0.AddSeconds(i), Ct)));

        Assert.All(batches, batch => Assert.Equal(batch[0].Sequence + 1, batch[1].Sequence));
        var stored = await Store.GetTurnsAsync("alice", "c1", 100, Ct);
        Assert.Equal(Enumerable.Range(1, 32).Select(i => (long)i), stored.Select(turn => turn.Sequence));
        Assert.Equal(32, stored.Select(turn => turn.Text).Distinct().Count());
    }

    [Fact]
    public async Task Token_usage_adds_up_per_user_and_day_and_concurrent_adds_lose_nothing()
    {
        var today = DateOnly.FromDateTime(T0.UtcDateTime);
        Assert.Equal(0, await Store.GetTokenUsageAsync("alice", today, Ct));

        Assert.Equal(31, await Store.AddTokenUsageAsync("alice", today, 31, Ct));
        var totals = await Task.WhenAll(Enumerable.Range(1, 10).Select(_ => Store.AddTokenUsageAsync("alice", today, 7, Ct)));
        await Store.AddTokenUsageAsync("alice", today.AddDays(1), 5, Ct);
        await Store.AddTokenUsageAsync("bob", today, 100, Ct);

        Assert.Equal(Enumerable.Range(1, 10).Select(i => 31L + (7 * i)), totals.Order());
        Assert.Equal(101, await Store.GetTokenUsageAsync("alice", today, Ct));
        Assert.Equal(5, await Store.GetTokenUsageAsync("alice", today.AddDays(1), Ct));
        Assert.Equal(100, await Store.GetTokenUsageAsync("bob", today, Ct));
        Assert.Equal(0, await Store.GetTokenUsageAsync("Alice", today, Ct));
    }

    [Fact]
    public async Task Conversations_are_listed_most_recently_active_first_with_their_first_user_message_as_title()
    {
        await Store.AppendTurnAsync("alice", "old", "user", "what time is it", T0, Ct);
        await Store.AppendTurnAsync("alice", "old", "assistant", "It's noon.", T0.AddSeconds(1), Ct);
        await Store.AppendTurnAsync("alice", "new", "tool", "hangman {}", T0.AddSeconds(5), Ct);
        await Store.AppendTurnAsync("alice", "new", "user", "let's play hangman", T0.AddSeconds(6), Ct);
        await Store.AppendTurnAsync("alice", "new", "user", "e", T0.AddSeconds(7), Ct);
        await Store.AppendTurnAsync("bob", "bobs", "user", "hello", T0.AddSeconds(9), Ct);

        var conversations = await Store.ListConversationsAsync("alice", 10, Ct);

        Assert.Equal(
            [new ConversationSummary("new", "let's play hangman", T0.AddSeconds(7), 3), new ConversationSummary("old", "what time is it", T0.AddSeconds(1), 2)],
            conversations);
        Assert.Single(await Store.ListConversationsAsync("alice", 1, Ct));
        Assert.Empty(await Store.ListConversationsAsync("carol", 10, Ct));
    }

    // ---- health ----

    [Fact]
    public async Task Health_check_passes_on_a_working_store()
    {
        await Store.CheckHealthAsync(Ct);
        Assert.False(string.IsNullOrEmpty(Store.Backend));
    }

    [Fact]
    public async Task MoveLeavesTheMemoryInTheNewEmbeddersCollectionOnly()
    {
        var memory = Memory("alice", "my sister lives in Lyon", [1, 0, 0, 0], T0);
        await Store.UpsertAsync(memory, Ct);
        var moved = new StoredMemory(memory.Memory with { Embedder = OtherEmbedder.Id }, new float[] { 0, 1, 0 });

        await Store.MoveAsync(moved, Ct);

        Assert.Empty(await Store.SearchAsync("alice", Embedder, new float[] { 1, 0, 0, 0 }, 10, [], Ct));
        var found = Assert.Single(await Store.SearchAsync("alice", OtherEmbedder, new float[] { 0, 1, 0 }, 10, [], Ct));
        Assert.Equal(memory.Memory.Id, found.Memory.Id);
        var all = await ReadAllAsync("alice");
        Assert.Equal(OtherEmbedder.Id, Assert.Single(all).Memory.Embedder);
        Assert.Equal(OtherEmbedder.Id, (await Store.GetAsync("alice", memory.Memory.Id, Ct))!.Embedder);
    }

    // ---- helpers ----

    /// <summary>A memory of <paramref name="userId"/> with a fresh id, in <see cref="Embedder"/> unless told otherwise.</summary>
    protected static StoredMemory Memory(
        string userId,
        string text,
        float[] vector,
        DateTimeOffset createdAt,
        IReadOnlyList<string>? tags = null,
        MemoryKind kind = MemoryKind.Fact,
        double importance = 0.5,
        DateTimeOffset? lastAccessed = null,
        EmbedderDescriptor? embedder = null)
    {
        var owner = embedder ?? Embedder;
        Assert.Equal(owner.Dimensions, vector.Length);
        var record = new MemoryRecord(Guid.NewGuid(), userId, text, kind, importance, tags ?? [], createdAt, lastAccessed ?? createdAt, owner.Id);
        return new StoredMemory(record, vector);
    }

    /// <summary>Every memory <see cref="IMemoryStore.ReadAllAsync"/> yields for the user.</summary>
    protected async Task<List<StoredMemory>> ReadAllAsync(string userId)
    {
        var all = new List<StoredMemory>();
        await foreach (var memory in Store.ReadAllAsync(userId, Ct))
        {
            all.Add(memory);
        }

        return all;
    }

    /// <summary>Asserts that <paramref name="actual"/> has every field of <paramref name="expected"/>.</summary>
    protected static void AssertSame(MemoryRecord expected, MemoryRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.UserId, actual.UserId);
        Assert.Equal(expected.Text, actual.Text);
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.Importance, actual.Importance, 6);
        Assert.Equal(expected.Tags, actual.Tags);
        Assert.Equal(expected.CreatedAt, actual.CreatedAt);
        Assert.Equal(expected.LastAccessedAt, actual.LastAccessedAt);
        Assert.Equal(expected.Embedder, actual.Embedder);
    }

    private static double Cosine(ReadOnlySpan<float> left, ReadOnlySpan<float> right)
    {
        double dot = 0, leftNorm = 0, rightNorm = 0;
        for (var i = 0; i < left.Length; i++)
        {
            dot += left[i] * right[i];
            leftNorm += left[i] * left[i];
            rightNorm += right[i] * right[i];
        }

        return dot / Math.Sqrt(leftNorm * rightNorm);
    }
}
