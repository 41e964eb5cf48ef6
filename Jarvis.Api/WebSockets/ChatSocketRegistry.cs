using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Jarvis.ServiceDefaults.Shutdown;

namespace Jarvis.Api.WebSockets;

/// <summary>
/// Owns every open chat socket. <c>ws_active_connections</c> moves exactly with <see cref="Register"/> and the disposal
/// of what it returns, whatever way the connection ends; on shutdown every socket is told <c>shutdown</c>, its reply in
/// flight may finish, and it is closed with 1001.
/// </summary>
public sealed class ChatSocketRegistry : IDrainParticipant
{
    private readonly ConcurrentDictionary<Guid, ChatSocketSession> _sessions = new();
    private readonly UpDownCounter<long> _active;
    private readonly Counter<long> _total;

    /// <summary>Creates the instruments.</summary>
    public ChatSocketRegistry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create("Jarvis.Api");
        _active = meter.CreateUpDownCounter<long>("ws_active_connections", "{connection}", "Open WebSocket connections.");
        _total = meter.CreateCounter<long>("ws_connections_total", "{connection}", "WebSocket connections accepted.");
    }

    /// <summary>The sessions open now.</summary>
    public int Count => _sessions.Count;

    /// <summary>Adds a session; disposing the result removes it (exactly once).</summary>
    public IDisposable Register(ChatSocketSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        _sessions[session.Id] = session;
        _active.Add(1);
        _total.Add(1);
        return new Registration(this, session.Id);
    }

    /// <inheritdoc />
    public async Task DrainAsync(CancellationToken cancellationToken) =>
        await Task.WhenAll(_sessions.Values.Select(s => s.ShutdownAsync(cancellationToken)));

    private void Unregister(Guid id)
    {
        if (_sessions.TryRemove(id, out _))
        {
            _active.Add(-1);
        }
    }

    private sealed class Registration(ChatSocketRegistry registry, Guid id) : IDisposable
    {
        public void Dispose() => registry.Unregister(id);
    }
}
