using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using Jarvis.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Jarvis.Tests.Api.Chat.ChatSocketTests;

namespace Jarvis.Tests.Api.Chat;

/// <summary><c>chat_requests_total</c> and <c>ws_connections_total</c>, and the WebSocket session's log records.</summary>
public sealed class ChatTelemetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ChatTurnsAreCountedByChannelAndOutcomeAndConnectionsInTotal()
    {
        await using var api = new ApiFactory();
        var counts = new ConcurrentDictionary<string, long>();
        using var meter = ListenTo(api, (name, value, tags) =>
            counts.AddOrUpdate(name == "chat_requests_total" ? $"{tags["channel"]}/{tags["outcome"]}" : name, value, (_, total) => total + value));
        using var client = api.CreateKeyedClient();

        (await client.PostAsJsonAsync("/api/chat", new { message = "hello" }, Ct)).EnsureSuccessStatusCode();
        using (var streaming = new HttpRequestMessage(HttpMethod.Post, "/api/chat") { Content = JsonContent.Create(new { message = "hello" }) })
        {
            streaming.Headers.Accept.ParseAdd("text/event-stream");
            await (await client.SendAsync(streaming, Ct)).Content.ReadAsStringAsync(Ct);
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/chat", new { message = " " }, Ct)).StatusCode);
        (await client.PostAsJsonAsync("/v1/chat/completions", new { model = "jarvis", messages = new[] { new { role = "user", content = "hello" } } }, Ct)).EnsureSuccessStatusCode();
        using (var socket = await ConnectAsync(api))
        {
            await SendAsync(socket, new { type = "message", text = "hello" });
            await UntilAsync(socket, "done");
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Ct);
        }

        Assert.Equal(1, counts.GetValueOrDefault("rest/ok"));
        Assert.Equal(1, counts.GetValueOrDefault("sse/ok"));
        Assert.Equal(1, counts.GetValueOrDefault("rest/invalid"));
        Assert.Equal(1, counts.GetValueOrDefault("openai/ok"));
        Assert.Equal(1, counts.GetValueOrDefault("ws/ok"));
        Assert.Equal(1, counts.GetValueOrDefault("ws_connections_total"));
    }

    [Fact]
    public async Task TheSessionLogsItsLifecycleEachRecordWithTheConnectionsRequestId()
    {
        await using var api = new ApiFactory();

        using (var socket = await ConnectAsync(api))
        {
            await SendAsync(socket, new { type = "message", text = "hello" });
            await UntilAsync(socket, "done");
            await socket.SendAsync(Encoding.UTF8.GetBytes("{not json"), WebSocketMessageType.Text, true, Ct);
            await UntilAsync(socket, "error");
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Ct);
        }

        await Eventually.TrueAsync(
            () => Task.FromResult(api.Logs.Records.Any(r => r.Message.StartsWith("ws disconnected", StringComparison.Ordinal))), "the session to end", Ct, TimeSpan.FromSeconds(10));
        var session = api.Logs.Records.Where(r => r.Message.StartsWith("ws ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["ws connected", "ws message", "ws error", "ws disconnected"], session.Select(r => string.Join(' ', r.Message.Split(' ').Take(2))).Distinct());
        var disconnected = session.Single(r => r.Message.StartsWith("ws disconnected", StringComparison.Ordinal));
        Assert.Equal(2, Convert.ToInt32(disconnected.Field("MessageCount"), System.Globalization.CultureInfo.InvariantCulture));
        var requestIds = session.Select(r => r.Field("request_id") as string).Distinct().ToList();
        Assert.False(string.IsNullOrEmpty(Assert.Single(requestIds)));
    }

    [Fact]
    public async Task EverySpanOfTheSessionCarriesItsRequestIdAndOnlyTheUserOfItsMessage()
    {
        var requestId = $"ws-{Guid.NewGuid():N}";
        using var collector = new SpanCollector("System.Net.Http", activity => activity.GetTagItem("request_id") as string == requestId);

        // Spans are only recorded (and tagged) when they are exported: an endpoint nothing listens on will do.
        await using var api = new ApiFactory(new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:1" });
        var client = api.Server.CreateWebSocketClient();
        client.ConfigureRequest = request =>
        {
            request.Headers["X-API-Key"] = ApiFactory.Key;
            request.Headers["X-Request-ID"] = requestId;
        };
        using var socket = await client.ConnectAsync(new Uri(api.Server.BaseAddress, "/ws"), Ct);

        // Each "remember" turn calls Jarvis.Memory (down here, but the HTTP client spans are made all the same).
        await SendAsync(socket, new { type = "message", text = "remember that I like tea", user_id = "alice" });
        await UntilAsync(socket, "done");
        var alices = collector.Stopped.Count;
        await SendAsync(socket, new { type = "message", text = "remember that I like coffee" });
        await UntilAsync(socket, "done");
        var spans = collector.Stopped;

        Assert.True(alices > 0, "the first message's memory calls carry the connection's request id");
        Assert.True(spans.Count > alices, "so do the second message's");
        Assert.All(spans.Take(alices), span => Assert.Equal("alice", span.GetTagItem("user_id")));
        Assert.All(spans.Skip(alices), span => Assert.Null(span.GetTagItem("user_id")));
    }

    /// <summary>Listens to the Jarvis.Api meter of this host only (tests run in parallel, each host with its own meters).</summary>
    private static MeterListener ListenTo(ApiFactory api, Action<string, long, IReadOnlyDictionary<string, object?>> record)
    {
        var factory = api.Services.GetRequiredService<IMeterFactory>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == factory && instrument.Name is "chat_requests_total" or "ws_connections_total")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            record(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
        listener.Start();
        return listener;
    }
}
