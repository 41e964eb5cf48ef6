using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Jarvis.Api.WebSockets;
using Jarvis.Tests.Infrastructure.Ollama;
using Microsoft.Extensions.DependencyInjection;

namespace Jarvis.Tests.Api.Chat;

/// <summary>The WebSocket channel: protocol, limits, per-message users, the connection gauge.</summary>
public sealed class ChatSocketTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AMessageIsAnsweredWithTokensThenDoneAndPingWithPong()
    {
        await using var api = new ApiFactory();
        using var socket = await ConnectAsync(api);

        await SendAsync(socket, new { type = "ping" });
        Assert.Equal("pong", (await ReceiveAsync(socket)).GetProperty("type").GetString());
        await SendAsync(socket, new { type = "message", text = "hello", user_id = "alice", conversation_id = "c1" });
        var events = await UntilAsync(socket, "done");

        Assert.Equal("token", events[0].GetProperty("type").GetString());
        var done = events[^1];
        Assert.Contains("ello", done.GetProperty("reply").GetString(), StringComparison.Ordinal);
        Assert.Equal("alice", done.GetProperty("user_id").GetString());
        Assert.Equal("c1", done.GetProperty("conversation_id").GetString());
    }

    [Fact]
    public async Task BadInputIsAnErrorEventAndTheConnectionStaysOpen()
    {
        await using var api = new ApiFactory(new Dictionary<string, string>
        {
            ["Jarvis:Chat:MaxMessageLength"] = "10",
            ["Jarvis:WebSocket:MessagesPerWindow"] = "2",
        });
        using var socket = await ConnectAsync(api);

        await socket.SendAsync(Encoding.UTF8.GetBytes("{not json"), WebSocketMessageType.Text, true, Ct);
        Assert.Equal("bad_request", (await ReceiveAsync(socket)).GetProperty("code").GetString());
        await SendAsync(socket, new { type = "message", text = new string('a', 11) });
        Assert.Equal("message_too_large", (await ReceiveAsync(socket)).GetProperty("code").GetString());
        await SendAsync(socket, new { type = "dance" });
        Assert.Equal("bad_request", (await ReceiveAsync(socket)).GetProperty("code").GetString());

        await SendAsync(socket, new { type = "message", text = "hi" });
        await UntilAsync(socket, "done");
        await SendAsync(socket, new { type = "message", text = "hi" });
        await UntilAsync(socket, "done");
        await SendAsync(socket, new { type = "message", text = "hi" });
        Assert.Equal("rate_limited", (await ReceiveAsync(socket)).GetProperty("code").GetString());

        await SendAsync(socket, new { type = "ping" });
        Assert.Equal("pong", (await ReceiveAsync(socket)).GetProperty("type").GetString());
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task AFrameOverTheByteCapClosesWith1009()
    {
        await using var api = new ApiFactory(new Dictionary<string, string> { ["Jarvis:WebSocket:MaxMessageBytes"] = "2048" });
        using var socket = await ConnectAsync(api);

        await socket.SendAsync(Encoding.UTF8.GetBytes(new string('x', 5000)), WebSocketMessageType.Text, true, Ct);
        var result = await socket.ReceiveAsync(new byte[1024], Ct);

        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, result.CloseStatus);
    }

    [Fact]
    public async Task EachMessagesUserStaysWithItsMessageAcrossConcurrentSockets()
    {
        await using var api = new ApiFactory();
        using var first = await ConnectAsync(api);
        using var second = await ConnectAsync(api);

        await Task.WhenAll(
            SendAsync(first, new { type = "message", text = "hello", user_id = "alice" }),
            SendAsync(second, new { type = "message", text = "hello", user_id = "bob" }));
        var firstDone = (await UntilAsync(first, "done"))[^1];
        var secondDone = (await UntilAsync(second, "done"))[^1];
        await SendAsync(first, new { type = "message", text = "hello" });
        var anonymous = (await UntilAsync(first, "done"))[^1];

        Assert.Equal("alice", firstDone.GetProperty("user_id").GetString());
        Assert.Equal("bob", secondDone.GetProperty("user_id").GetString());
        Assert.Equal("default", anonymous.GetProperty("user_id").GetString());
        var logged = api.Logs.Records.Where(r => r.Message.StartsWith("ws message", StringComparison.Ordinal)).Select(r => r.Field("user_id") as string).ToList();
        Assert.Contains("alice", logged);
        Assert.Contains("bob", logged);
        Assert.Contains(null, logged);
    }

    [Fact]
    public async Task TheGaugeFollowsConnectionsExactlyEvenWhenClientsVanish()
    {
        long active = 0;
        await using var api = new ApiFactory();
        var registry = api.Services.GetRequiredService<ChatSocketRegistry>();
        var meters = api.Services.GetRequiredService<IMeterFactory>();
        using var meter = new MeterListener();
        meter.InstrumentPublished = (instrument, listener) =>
        {
            // This host's gauge only: other tests open sockets on their own hosts at the same time.
            if (instrument.Meter.Scope == meters && instrument.Name == "ws_active_connections")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meter.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref active, value));
        meter.Start();

        var sockets = new List<WebSocket>();
        for (var i = 0; i < 3; i++)
        {
            sockets.Add(await ConnectAsync(api));
            await SendAsync(sockets[^1], new { type = "ping" });
            await ReceiveAsync(sockets[^1]);
        }

        Assert.Equal(3, Interlocked.Read(ref active));
        Assert.Equal(3, registry.Count);
        sockets[0].Abort();
        await sockets[1].CloseAsync(WebSocketCloseStatus.NormalClosure, null, Ct);
        // The session leaves the registry and then records its -1 on the gauge: wait for both, not only the first.
        await Infrastructure.Eventually.TrueAsync(
            () => Task.FromResult(registry.Count == 1 && Interlocked.Read(ref active) == 1), "two sessions to end and the gauge to follow", Ct, TimeSpan.FromSeconds(10));
        Assert.Equal(1, registry.Count);
        Assert.Equal(1, Interlocked.Read(ref active));
    }

    [Fact]
    public async Task TheDrainTellsEverySocketThenClosesItWith1001()
    {
        // The registry is the drain participant the host runs on SIGTERM; run here directly, without a host stopping
        // around the test's sockets.
        await using var api = new ApiFactory();
        using var first = await ConnectAsync(api);
        using var second = await ConnectAsync(api);
        foreach (var socket in new[] { first, second })
        {
            await SendAsync(socket, new { type = "ping" });
            await ReceiveAsync(socket);
        }

        var draining = api.Services.GetRequiredService<ChatSocketRegistry>().DrainAsync(Ct);
        foreach (var socket in new[] { first, second })
        {
            Assert.Equal("shutdown", (await ReceiveAsync(socket)).GetProperty("type").GetString());
            var closed = await socket.ReceiveAsync(new byte[1024], Ct);
            Assert.Equal(WebSocketMessageType.Close, closed.MessageType);
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, closed.CloseStatus);
        }

        await draining;
    }

    [Fact]
    public async Task AfterShutdownNoTurnStartsButTheReplyInFlightEnds()
    {
        await using var ollama = await FakeOllamaServer.StartAsync(["llama3.2:1b"], Ct);
        var release = new TaskCompletionSource();
        ollama.Enqueue(new FakeChatReply { HoldFirstTokenUntil = release.Task });
        await using var api = new ApiFactory(new Dictionary<string, string> { ["ConnectionStrings:ollama"] = $"Endpoint={ollama.BaseAddress};Model=llama3.2:1b" });
        using var socket = await ConnectAsync(api);
        await SendAsync(socket, new { type = "message", text = "tell me about the sky" });
        await Infrastructure.Eventually.TrueAsync(() => Task.FromResult(ollama.ChatRequests.Count == 1), "the reply to be in flight", Ct, TimeSpan.FromSeconds(10));

        var draining = api.Services.GetRequiredService<ChatSocketRegistry>().DrainAsync(Ct);
        Assert.Equal("shutdown", (await ReceiveAsync(socket)).GetProperty("type").GetString());
        await SendAsync(socket, new { type = "message", text = "one more thing" });
        var refused = await ReceiveAsync(socket);
        release.SetResult();
        var rest = await UntilAsync(socket, "done");

        Assert.Equal("shutting_down", refused.GetProperty("code").GetString());
        Assert.StartsWith("The sky is blue.", rest[^1].GetProperty("reply").GetString(), StringComparison.Ordinal);
        var closed = await socket.ReceiveAsync(new byte[1024], Ct);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, closed.CloseStatus);
        Assert.Single(ollama.ChatRequests);
        await draining;
    }

    internal static async Task<WebSocket> ConnectAsync(ApiFactory api)
    {
        var client = api.Server.CreateWebSocketClient();
        client.ConfigureRequest = request => request.Headers["X-API-Key"] = ApiFactory.Key;
        return await client.ConnectAsync(new Uri(api.Server.BaseAddress, "/ws"), Ct);
    }

    internal static Task SendAsync(WebSocket socket, object payload) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(payload), WebSocketMessageType.Text, true, Ct);

    internal static async Task<JsonElement> ReceiveAsync(WebSocket socket)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, timeout.Token);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        return JsonDocument.Parse(message.ToArray()).RootElement;
    }

    internal static async Task<List<JsonElement>> UntilAsync(WebSocket socket, string type)
    {
        var events = new List<JsonElement>();
        while (events.Count == 0 || events[^1].GetProperty("type").GetString() != type)
        {
            events.Add(await ReceiveAsync(socket));
        }

        return events;
    }
}
