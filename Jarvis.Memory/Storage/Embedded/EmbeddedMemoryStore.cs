using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Jarvis.Memory.Conversations;
using Jarvis.Memory.Memories;
using Jarvis.Memory.Usage;
using Microsoft.Data.Sqlite;

namespace Jarvis.Memory.Storage.Embedded;

/// <summary>
/// The store used when no Qdrant is configured: SQLite in WAL mode with <c>synchronous=FULL</c> on local disk is the
/// durable record (a write returns only once its transaction is on disk, so an acknowledged memory survives a crash), and
/// an in-memory index per embedder and user, rebuilt from disk at start, answers reads and exact vector searches.
/// </summary>
public sealed class EmbeddedMemoryStore : IMemoryStore, IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _database = new(1, 1);

    // The writes waiting for the next group commit (WriteAsync).
    private readonly Lock _queueLock = new();
    private List<PendingWrite> _queue = [];

    // Reads of turns have their own connection: in WAL mode a reader sees the last commit without waiting for a
    // writer's fsync, so a turn's history is not queued behind other turns' writes.
    private readonly SqliteConnection _reader;
    private readonly SemaphoreSlim _reads = new(1, 1);
    private readonly ReaderWriterLockSlim _indexLock = new();
    private readonly Dictionary<(string Embedder, string UserId), VectorCollection> _collections = [];
    private readonly Dictionary<Guid, MemoryRecord> _records = [];

    private EmbeddedMemoryStore(SqliteConnection connection, SqliteConnection reader)
    {
        _connection = connection;
        _reader = reader;
    }

    /// <inheritdoc />
    public string Backend => "embedded";

    /// <summary>Opens (or creates) the store in <paramref name="dataDirectory"/> and loads its index.</summary>
    public static EmbeddedMemoryStore Open(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, "memory.db"),
            Pooling = false,
        }.ToString();
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        Execute(connection, """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            PRAGMA temp_store = MEMORY; -- the savepoints' journals: no temporary file made and deleted per commit
            CREATE TABLE IF NOT EXISTS memories (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL,
                embedder TEXT NOT NULL,
                text TEXT NOT NULL,
                kind INTEGER NOT NULL,
                importance REAL NOT NULL,
                tags TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                last_accessed_at INTEGER NOT NULL,
                vector BLOB NOT NULL);
            CREATE INDEX IF NOT EXISTS memories_by_user ON memories (user_id);
            CREATE TABLE IF NOT EXISTS turns (
                user_id TEXT NOT NULL,
                conversation_id TEXT NOT NULL,
                sequence INTEGER NOT NULL,
                role TEXT NOT NULL,
                text TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                PRIMARY KEY (user_id, conversation_id, sequence));
            CREATE TABLE IF NOT EXISTS token_usage (
                user_id TEXT NOT NULL,
                day TEXT NOT NULL,
                tokens INTEGER NOT NULL,
                PRIMARY KEY (user_id, day));
            """);

        var reader = new SqliteConnection(connectionString);
        reader.Open();
        Execute(reader, "PRAGMA query_only = ON;");
        var store = new EmbeddedMemoryStore(connection, reader);
        store.LoadIndex();
        return store;
    }

    /// <inheritdoc />
    public Task EnsureCollectionAsync(EmbedderDescriptor embedder, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    /// <remarks>Concurrent upserts share a group commit (see <see cref="CommitQueued"/>).</remarks>
    public async Task UpsertAsync(StoredMemory memory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(memory);
        await WriteAsync(command =>
        {
            command.CommandText = UpsertSql;
            object[] values = UpsertValues(memory);
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters.AddWithValue(s_upsertParameters[i], values[i]);
            }
        }, cancellationToken, _ =>
        {
            Index([memory]);
            return 0;
        });
    }

    /// <summary>Stores or replaces many memories in one transaction: one fsync for all (bulk loads, imports).</summary>
    public async Task UpsertManyAsync(IReadOnlyList<StoredMemory> memories, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(memories);
        await _database.WaitAsync(cancellationToken);
        try
        {
            using var transaction = _connection.BeginTransaction();
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = UpsertSql;
            var parameters = s_upsertParameters.Select(name => command.Parameters.Add(new SqliteParameter { ParameterName = name })).ToArray();
            foreach (var memory in memories)
            {
                var values = UpsertValues(memory);
                for (var i = 0; i < values.Length; i++)
                {
                    parameters[i].Value = values[i];
                }

                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            // With WAL and synchronous=FULL the commit is on disk when it returns: only then is the write acknowledged.
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            _database.Release();
        }

        Index(memories);
    }

    private const string UpsertSql = """
        INSERT INTO memories (id, user_id, embedder, text, kind, importance, tags, created_at, last_accessed_at, vector)
        VALUES ($id, $user, $embedder, $text, $kind, $importance, $tags, $created, $accessed, $vector)
        ON CONFLICT (id) DO UPDATE SET user_id = $user, embedder = $embedder, text = $text, kind = $kind,
            importance = $importance, tags = $tags, created_at = $created, last_accessed_at = $accessed, vector = $vector
        """;

    private static readonly string[] s_upsertParameters = ["$id", "$user", "$embedder", "$text", "$kind", "$importance", "$tags", "$created", "$accessed", "$vector"];

    private static object[] UpsertValues(StoredMemory memory)
    {
        var record = memory.Memory;
        return
        [
            record.Id.ToString(), record.UserId, record.Embedder, record.Text, (int)record.Kind, record.Importance,
            JsonSerializer.Serialize(record.Tags), record.CreatedAt.ToUnixTimeMilliseconds(), record.LastAccessedAt.ToUnixTimeMilliseconds(),
            MemoryMarshal.AsBytes(memory.Vector.Span).ToArray(),
        ];
    }

    // After the commit: the searchable index follows what is on disk.
    private void Index(IReadOnlyList<StoredMemory> memories)
    {
        WithIndex(write: true, () =>
        {
            foreach (var memory in memories)
            {
                var record = memory.Memory;

                // An upsert may move a memory to another user or embedder: take it out of where it was.
                if (_records.TryGetValue(record.Id, out var previous))
                {
                    _collections[(previous.Embedder, previous.UserId)].Remove(record.Id);
                }

                Collection(record.Embedder, record.UserId, memory.Vector.Length).Upsert(record, memory.Vector.Span);
                _records[record.Id] = record;
            }

            return 0;
        });
    }

    /// <inheritdoc />
    /// <remarks>A memory has one row here, so replacing it moves it.</remarks>
    public Task MoveAsync(StoredMemory memory, CancellationToken cancellationToken) => UpsertAsync(memory, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<VectorMatch>> SearchAsync(string userId, EmbedderDescriptor embedder, ReadOnlyMemory<float> query, int limit, IReadOnlyCollection<string> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        IReadOnlyList<VectorMatch> matches = WithIndex(write: false, () =>
            _collections.TryGetValue((embedder.Id, userId), out var collection) ? collection.Search(query.Span, limit, tags) : []);
        return Task.FromResult(matches);
    }

    /// <inheritdoc />
    public Task<MemoryRecord?> GetAsync(string userId, Guid id, CancellationToken cancellationToken) =>
        Task.FromResult(WithIndex(write: false, () => _records.TryGetValue(id, out var record) && record.UserId == userId ? record : null));

    /// <inheritdoc />
    public Task<MemoryPage> ListAsync(string userId, string? cursor, int limit, CancellationToken cancellationToken)
    {
        var after = PageCursor.Parse(cursor);
        var page = WithIndex(write: false, () => _collections
            .Where(c => c.Key.UserId == userId)
            .SelectMany(c => c.Value.Records)
            .Where(r => after is null || PageCursor.IsAfter(r, after.Value))
            .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id)
            .Take(limit + 1)
            .ToList());
        var next = page.Count > limit ? PageCursor.Of(page[limit - 1]) : null;
        return Task.FromResult(new MemoryPage(page.Take(limit).ToList(), next));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredMemory> ReadAllAsync(string userId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var all = WithIndex(write: false, () => _collections
            .Where(c => c.Key.UserId == userId)
            .SelectMany(c => c.Value.Records.Select(r => new StoredMemory(r, c.Value.VectorOf(r.Id).ToArray())))
            .OrderBy(m => m.Memory.CreatedAt)
            .ToList());
        foreach (var memory in all)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return memory;
        }

        await Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListUsersAsync(EmbedderDescriptor embedder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        IReadOnlyList<string> users = WithIndex(write: false, () =>
            _collections.Where(c => c.Key.Embedder == embedder.Id && c.Value.Count > 0).Select(c => c.Key.UserId).ToList());
        return Task.FromResult(users);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string userId, Guid id, CancellationToken cancellationToken)
    {
        if (await GetAsync(userId, id, cancellationToken) is not { } record)
        {
            return false;
        }

        return await WriteAsync(command =>
        {
            command.CommandText = "DELETE FROM memories WHERE id = $id AND user_id = $user";
            command.Parameters.AddWithValue("$id", id.ToString());
            command.Parameters.AddWithValue("$user", userId);
        }, cancellationToken, _ => WithIndex(write: true, () => _records.Remove(id) && _collections[(record.Embedder, userId)].Remove(id)) ? 1 : 0) == 1;
    }

    /// <inheritdoc />
    public async Task<long> DeleteUserAsync(string userId, CancellationToken cancellationToken)
    {
        return await WriteAsync(command =>
        {
            command.CommandText = "DELETE FROM memories WHERE user_id = $user; DELETE FROM turns WHERE user_id = $user;";
            command.Parameters.AddWithValue("$user", userId);
        }, cancellationToken, _ => WithIndex(write: true, () =>
        {
            long removed = 0;
            foreach (var key in _collections.Keys.Where(k => k.UserId == userId).ToList())
            {
                foreach (var record in _collections[key].Records)
                {
                    _records.Remove(record.Id);
                    removed++;
                }

                _collections.Remove(key);
            }

            return removed;
        }));
    }

    /// <inheritdoc />
    public async Task TouchAsync(string userId, IReadOnlyCollection<Guid> ids, DateTimeOffset accessedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var owned = WithIndex(write: false, () => ids.Where(id => _records.TryGetValue(id, out var r) && r.UserId == userId).ToList());
        if (owned.Count == 0)
        {
            return;
        }

        await WriteAsync(command =>
        {
            command.CommandText = $"UPDATE memories SET last_accessed_at = $accessed WHERE user_id = $user AND id IN ({string.Join(',', owned.Select((_, i) => $"$id{i}"))})";
            command.Parameters.AddWithValue("$accessed", accessedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$user", userId);
            for (var i = 0; i < owned.Count; i++)
            {
                command.Parameters.AddWithValue($"$id{i}", owned[i].ToString());
            }
        }, cancellationToken, _ => WithIndex(write: true, () =>
        {
            foreach (var id in owned)
            {
                if (_records.TryGetValue(id, out var record))
                {
                    var touched = record with { LastAccessedAt = accessedAt };
                    _records[id] = touched;
                    _collections[(record.Embedder, record.UserId)].Replace(touched);
                }
            }

            return 0;
        }));
    }

    /// <inheritdoc />
    public Task<long> CountAsync(CancellationToken cancellationToken) => Task.FromResult(WithIndex(write: false, () => (long)_records.Count));

    /// <inheritdoc />
    /// <remarks>The turns share one savepoint of a group commit (see <see cref="CommitQueued"/>): all of them or none.</remarks>
    public async Task<IReadOnlyList<ConversationTurn>> AppendTurnsAsync(IReadOnlyList<NewTurn> turns, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turns);
        var sequences = new long[turns.Count];
        await WriteAsync(command =>
        {
            // Each conversation's last sequence is read once and counted on here: the writer is alone on its
            // connection, so nothing comes between the read and the inserts. (RETURNING cost a third of the write.)
            command.CommandText = "SELECT COALESCE(MAX(sequence), 0) FROM turns WHERE user_id = $user AND conversation_id = $conversation";
            var user = command.Parameters.Add("$user", SqliteType.Text);
            var conversation = command.Parameters.Add("$conversation", SqliteType.Text);
            var last = new Dictionary<(string UserId, string ConversationId), long>();
            for (var i = 0; i < turns.Count; i++)
            {
                var key = (turns[i].UserId, turns[i].ConversationId);
                if (!last.TryGetValue(key, out var sequence))
                {
                    (user.Value, conversation.Value) = key;
                    sequence = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
                }

                last[key] = sequences[i] = sequence + 1;
            }

            command.CommandText = """
                INSERT INTO turns (user_id, conversation_id, sequence, role, text, created_at)
                VALUES ($user, $conversation, $sequence, $role, $text, $created)
                """;
            var sequenceValue = command.Parameters.Add("$sequence", SqliteType.Integer);
            var role = command.Parameters.Add("$role", SqliteType.Text);
            var text = command.Parameters.Add("$text", SqliteType.Text);
            command.Parameters.AddWithValue("$created", createdAt.ToUnixTimeMilliseconds());
            for (var i = 0; i < turns.Count; i++)
            {
                (user.Value, conversation.Value, sequenceValue.Value, role.Value, text.Value) =
                    (turns[i].UserId, turns[i].ConversationId, sequences[i], turns[i].Role, turns[i].Text);
                command.ExecuteNonQuery();
            }

            return turns.Count;
        }, cancellationToken);
        return [.. turns.Select((turn, i) => new ConversationTurn(turn.ConversationId, turn.UserId, sequences[i], turn.Role, turn.Text, createdAt))];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ConversationTurn>> GetTurnsAsync(string userId, string conversationId, int last, CancellationToken cancellationToken)
    {
        await _reads.WaitAsync(cancellationToken);
        try
        {
            using var command = _reader.CreateCommand();
            command.CommandText = """
                SELECT sequence, role, text, created_at FROM (
                    SELECT * FROM turns WHERE user_id = $user AND conversation_id = $conversation ORDER BY sequence DESC LIMIT $last)
                ORDER BY sequence
                """;
            command.Parameters.AddWithValue("$user", userId);
            command.Parameters.AddWithValue("$conversation", conversationId);
            command.Parameters.AddWithValue("$last", last);
            using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var turns = new List<ConversationTurn>();
            while (await reader.ReadAsync(cancellationToken))
            {
                turns.Add(new ConversationTurn(conversationId, userId, reader.GetInt64(0), reader.GetString(1), reader.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
            }

            return turns;
        }
        finally
        {
            _reads.Release();
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ConversationSummary>> ListConversationsAsync(string userId, int limit, CancellationToken cancellationToken)
    {
        await _reads.WaitAsync(cancellationToken);
        try
        {
            using var command = _reader.CreateCommand();
            command.CommandText = """
                SELECT c.conversation_id, c.updated_at, c.turns,
                       COALESCE((SELECT text FROM turns t WHERE t.user_id = $user AND t.conversation_id = c.conversation_id AND t.role = 'user' ORDER BY t.sequence LIMIT 1), '')
                FROM (SELECT conversation_id, MAX(created_at) AS updated_at, COUNT(*) AS turns
                      FROM turns WHERE user_id = $user GROUP BY conversation_id) c
                ORDER BY c.updated_at DESC, c.conversation_id LIMIT $limit
                """;
            command.Parameters.AddWithValue("$user", userId);
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var conversations = new List<ConversationSummary>();
            while (await reader.ReadAsync(cancellationToken))
            {
                conversations.Add(new ConversationSummary(reader.GetString(0), reader.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetInt64(2)));
            }

            return conversations;
        }
        finally
        {
            _reads.Release();
        }
    }

    /// <inheritdoc />
    public async Task<long> GetTokenUsageAsync(string userId, DateOnly day, CancellationToken cancellationToken)
    {
        await _reads.WaitAsync(cancellationToken);
        try
        {
            using var command = _reader.CreateCommand();
            command.CommandText = "SELECT tokens FROM token_usage WHERE user_id = $user AND day = $day";
            command.Parameters.AddWithValue("$user", userId);
            command.Parameters.AddWithValue("$day", UsageDay.Of(day));
            return await command.ExecuteScalarAsync(cancellationToken) is long tokens ? tokens : 0;
        }
        finally
        {
            _reads.Release();
        }
    }

    /// <inheritdoc />
    public Task<long> AddTokenUsageAsync(string userId, DateOnly day, long tokens, CancellationToken cancellationToken) =>
        WriteAsync(command =>
        {
            command.CommandText = """
                INSERT INTO token_usage (user_id, day, tokens) VALUES ($user, $day, $tokens)
                ON CONFLICT (user_id, day) DO UPDATE SET tokens = tokens + excluded.tokens
                RETURNING tokens
                """;
            command.Parameters.AddWithValue("$user", userId);
            command.Parameters.AddWithValue("$day", UsageDay.Of(day));
            command.Parameters.AddWithValue("$tokens", tokens);
        }, cancellationToken);

    /// <inheritdoc />
    public async Task CheckHealthAsync(CancellationToken cancellationToken)
    {
        await _reads.WaitAsync(cancellationToken);
        try
        {
            using var command = _reader.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(cancellationToken);
        }
        finally
        {
            _reads.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _connection.Dispose();
        _database.Dispose();
        _reader.Dispose();
        _reads.Dispose();
        _indexLock.Dispose();
    }

    /// <summary>A write of one statement, its result the statement's scalar: see <see cref="CommitQueued"/>.</summary>
    private Task<long> WriteAsync(Action<SqliteCommand> prepare, CancellationToken cancellationToken, Func<long, long>? committed = null) =>
        WriteAsync(command =>
        {
            prepare(command);
            return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }, cancellationToken, committed);

    /// <summary>A write of several statements, which <paramref name="execute"/> runs on the command: see <see cref="CommitQueued"/>.</summary>
    private async Task<long> WriteAsync(Func<SqliteCommand, long> execute, CancellationToken cancellationToken, Func<long, long>? committed = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var write = new PendingWrite(execute, committed);
        lock (_queueLock)
        {
            _queue.Add(write);
        }

        // Once queued the write may be committed by another caller at any moment, so waiting is not cancelled.
        while (!write.Done.Task.IsCompleted)
        {
            await _database.WaitAsync(CancellationToken.None);
            try
            {
                if (!write.Done.Task.IsCompleted)
                {
                    CommitQueued();
                }
            }
            finally
            {
                _database.Release();
            }
        }

        return await write.Done.Task;
    }

    /// <summary>
    /// Group commit: a write joins the queue, and whoever holds the database next commits every write queued by then in
    /// one transaction (each in its own savepoint, so one failing statement fails only its caller), with one fsync for
    /// all. Each caller returns only after the commit that holds its write: acknowledged still means on disk. Under
    /// concurrency the queue fills while the previous commit syncs, so no write waits for a timer. What follows a write
    /// (a write's <c>committed</c> callback: the in-memory index catching up) runs after the commit, in the commit's order, so
    /// the index never disagrees with the disk about which of two writes came last.
    /// </summary>
    /// <remarks>Called with the database held.</remarks>
    private void CommitQueued()
    {
        List<PendingWrite> batch;
        lock (_queueLock)
        {
            (batch, _queue) = (_queue, []);
        }

        if (batch.Count == 0)
        {
            return;
        }

        var results = new (long Value, Exception? Error)[batch.Count];
        try
        {
            using var transaction = _connection.BeginTransaction();
            for (var i = 0; i < batch.Count; i++)
            {
                transaction.Save("write");
                try
                {
                    using var command = _connection.CreateCommand();
                    command.Transaction = transaction;
                    results[i] = (batch[i].Execute(command), null);
                    transaction.Release("write");
                }
                catch (Exception e) when (e is SqliteException or InvalidOperationException or ArgumentException or FormatException)
                {
                    transaction.Rollback("write");
                    results[i] = (0, e);
                }
            }

            // With WAL and synchronous=FULL the commit is on disk when it returns: only then are the writes acknowledged.
            transaction.Commit();
        }
        catch (Exception e)
        {
            foreach (var write in batch)
            {
                write.Done.TrySetException(e);
            }

            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (results[i].Error is { } error)
            {
                batch[i].Done.TrySetException(error);
                continue;
            }

            try
            {
                batch[i].Done.TrySetResult(batch[i].Committed is { } committed ? committed(results[i].Value) : results[i].Value);
            }
            catch (Exception e)
            {
                batch[i].Done.TrySetException(e);
            }
        }
    }

    private void LoadIndex()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT id, user_id, embedder, text, kind, importance, tags, created_at, last_accessed_at, vector FROM memories";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var record = new MemoryRecord(
                Guid.Parse(reader.GetString(0)),
                reader.GetString(1),
                reader.GetString(3),
                (MemoryKind)reader.GetInt32(4),
                reader.GetDouble(5),
                JsonSerializer.Deserialize<string[]>(reader.GetString(6)) ?? [],
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
                reader.GetString(2));
            var vector = MemoryMarshal.Cast<byte, float>((byte[])reader.GetValue(9));
            Collection(record.Embedder, record.UserId, vector.Length).Upsert(record, vector);
            _records[record.Id] = record;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private VectorCollection Collection(string embedder, string userId, int dimensions)
    {
        if (!_collections.TryGetValue((embedder, userId), out var collection))
        {
            collection = new VectorCollection(dimensions);
            _collections[(embedder, userId)] = collection;
        }

        return collection;
    }

    private T WithIndex<T>(bool write, Func<T> action)
    {
        if (write)
        {
            _indexLock.EnterWriteLock();
        }
        else
        {
            _indexLock.EnterReadLock();
        }

        try
        {
            return action();
        }
        finally
        {
            if (write)
            {
                _indexLock.ExitWriteLock();
            }
            else
            {
                _indexLock.ExitReadLock();
            }
        }
    }
}

/// <summary>The opaque paging cursor: the creation time and id of the last memory of the previous page.</summary>
internal static class PageCursor
{
    public static string Of(MemoryRecord record) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{record.CreatedAt.UtcTicks}:{record.Id}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static (long Ticks, Guid Id)? Parse(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=')));
            var parts = text.Split(':');
            return (long.Parse(parts[0], CultureInfo.InvariantCulture), Guid.Parse(parts[1]));
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or OverflowException)
        {
            throw new ArgumentException("The cursor is not one this service returned.", nameof(cursor), e);
        }
    }

    public static bool IsAfter(MemoryRecord record, (long Ticks, Guid Id) cursor) =>
        record.CreatedAt.UtcTicks < cursor.Ticks || (record.CreatedAt.UtcTicks == cursor.Ticks && record.Id.CompareTo(cursor.Id) < 0);
}

/// <summary>A write waiting for its group commit: the statement, and the caller to tell once it is on disk.</summary>
internal sealed record PendingWrite(Func<SqliteCommand, long> Execute, Func<long, long>? Committed)
{
    public TaskCompletionSource<long> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
