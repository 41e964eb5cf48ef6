using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;

namespace Jarvis.Hosting.Dashboard.Telemetry;

/// <summary>
/// The telemetry kept, mirrored in a SQLite file (one JSON row per log record, span and data point) so it survives a
/// restart of the app host. Not thread-safe by itself: the repository calls it under its lock.
/// </summary>
internal sealed class SqliteTelemetryArchive : IDisposable
{
    // Histogram buckets reach ±∞, which JSON has no number for.
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private readonly SqliteConnection _connection;

    public SqliteTelemetryArchive(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);

        // No pooling: disposing the archive closes the file, so another archive (or a test's cleanup) can open it.
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            CREATE TABLE IF NOT EXISTS logs (id INTEGER PRIMARY KEY, data TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS spans (seq INTEGER PRIMARY KEY AUTOINCREMENT, trace_id TEXT NOT NULL, data TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS spans_by_trace ON spans (trace_id);
            CREATE TABLE IF NOT EXISTS points (id INTEGER PRIMARY KEY, data TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS resources (service TEXT NOT NULL, instance TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (service, instance));
            """);
    }

    /// <summary>Everything archived, in the order it was received.</summary>
    public TelemetryBatch Load()
    {
        var batch = new TelemetryBatch();
        Read("SELECT data FROM logs ORDER BY id", batch.Logs);
        Read("SELECT data FROM spans ORDER BY seq", batch.Spans);
        Read("SELECT data FROM points ORDER BY id", batch.Points);
        Read("SELECT data FROM resources", batch.Resources);
        return batch;
    }

    /// <summary>Adds what was accepted and deletes what was evicted, in one transaction.</summary>
    public void Save(TelemetryBatch accepted, TelemetryEvictions evicted)
    {
        if (accepted.IsEmpty && evicted.IsEmpty)
        {
            return;
        }

        using var transaction = _connection.BeginTransaction();
        Write(transaction, "INSERT OR REPLACE INTO logs (id, data) VALUES ($a, $json)", accepted.Logs, l => l.Entry.Id);
        Write(transaction, "INSERT INTO spans (trace_id, data) VALUES ($a, $json)", accepted.Spans, s => s.Span.TraceId);
        Write(transaction, "INSERT OR REPLACE INTO points (id, data) VALUES ($a, $json)", accepted.Points, p => p.Id);
        Write(transaction, "INSERT OR REPLACE INTO resources (service, instance, data) VALUES ($a, $b, $json)", accepted.Resources, r => r.Key.ServiceName, r => r.Key.InstanceId);
        Write(transaction, "DELETE FROM logs WHERE id = $a", evicted.LogIds, id => id);
        Write(transaction, "DELETE FROM spans WHERE trace_id = $a", evicted.TraceIds, id => id);
        Write(transaction, "DELETE FROM points WHERE id = $a", evicted.PointIds, id => id);
        transaction.Commit();
    }

    public void Dispose() => _connection.Dispose();

    private void Execute(string sql)
    {
        using var command = new SqliteCommand(sql, _connection);
        command.ExecuteNonQuery();
    }

    private void Read<T>(string sql, List<T> into)
    {
        using var command = new SqliteCommand(sql, _connection);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            into.Add(JsonSerializer.Deserialize<T>(reader.GetString(0), Json)!);
        }
    }

    /// <summary>Runs one statement per item, with $a (and $b) its keys and $json the item itself, when the statement has them.</summary>
    private void Write<T>(SqliteTransaction transaction, string sql, IReadOnlyCollection<T> items, Func<T, object> key, Func<T, object>? secondKey = null)
    {
        if (items.Count == 0)
        {
            return;
        }

        using var command = new SqliteCommand(sql, _connection, transaction);
        var a = command.Parameters.Add(new SqliteParameter { ParameterName = "$a" });
        var b = secondKey is null ? null : command.Parameters.Add(new SqliteParameter { ParameterName = "$b" });
        var json = sql.Contains("$json", StringComparison.Ordinal) ? command.Parameters.Add(new SqliteParameter { ParameterName = "$json" }) : null;
        command.Prepare();
        foreach (var item in items)
        {
            a.Value = key(item);
            b?.Value = secondKey!(item);
            json?.Value = JsonSerializer.Serialize(item, Json);
            command.ExecuteNonQuery();
        }
    }
}
