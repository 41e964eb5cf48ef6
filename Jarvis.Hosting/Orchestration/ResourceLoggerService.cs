using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Jarvis.Hosting.Orchestration;

/// <summary>
/// The console output of every resource, kept in a bounded buffer per resource (for the dashboard and tests) and
/// echoed to the app host's console with a <c>[name]</c> prefix when it runs with <c>--verbose</c>.
/// </summary>
public sealed class ResourceLoggerService(IOptions<OrchestratorOptions> options, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, ResourceLog> _logs = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The lines kept for a resource, oldest first.</summary>
    public IReadOnlyList<LogLine> GetLines(string resourceName) => Log(resourceName).Snapshot();

    /// <summary>The lines kept so far, then every new line as it is written.</summary>
    public IAsyncEnumerable<LogLine> WatchAsync(string resourceName, CancellationToken cancellationToken = default) =>
        Log(resourceName).WatchAsync(cancellationToken);

    /// <summary>Appends a line of a resource's output (or of what the app host says about it).</summary>
    public void Write(string resourceName, string line, bool isError = false)
    {
        Log(resourceName).Add(timeProvider.GetUtcNow(), line, isError);
        if (options.Value.Verbose)
        {
            Console.WriteLine($"[{resourceName}] {line}");
        }
    }

    private ResourceLog Log(string resourceName) => _logs.GetOrAdd(resourceName, _ => new ResourceLog(options.Value.LogLinesPerResource));

    private sealed class ResourceLog(int capacity)
    {
        private readonly Queue<LogLine> _lines = new();
        private readonly List<Channel<LogLine>> _watchers = [];
        private readonly Lock _lock = new();
        private long _sequence;

        public void Add(DateTimeOffset timestamp, string text, bool isError)
        {
            lock (_lock)
            {
                var line = new LogLine(++_sequence, timestamp, text, isError);
                if (_lines.Count == capacity)
                {
                    _lines.Dequeue();
                }

                _lines.Enqueue(line);
                foreach (var watcher in _watchers)
                {
                    watcher.Writer.TryWrite(line);
                }
            }
        }

        public IReadOnlyList<LogLine> Snapshot()
        {
            lock (_lock)
            {
                return [.. _lines];
            }
        }

        public async IAsyncEnumerable<LogLine> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var channel = Channel.CreateUnbounded<LogLine>(new UnboundedChannelOptions { SingleReader = true });
            lock (_lock)
            {
                foreach (var line in _lines)
                {
                    channel.Writer.TryWrite(line);
                }

                _watchers.Add(channel);
            }

            try
            {
                await foreach (var line in channel.Reader.ReadAllAsync(cancellationToken))
                {
                    yield return line;
                }
            }
            finally
            {
                lock (_lock)
                {
                    _watchers.Remove(channel);
                }
            }
        }
    }
}

/// <summary>One line of a resource's console output; <see cref="Sequence"/> counts from 1 per resource.</summary>
public sealed record LogLine(long Sequence, DateTimeOffset Timestamp, string Text, bool IsError);
