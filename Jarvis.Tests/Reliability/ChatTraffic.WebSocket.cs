using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Jarvis.Tests.Api.Chat;

namespace Jarvis.Tests.Reliability;

/// <summary>The WebSocket clients of <see cref="ChatTraffic"/>: one socket each, a <c>message</c> per turn, read until <c>done</c> or <c>error</c>.</summary>
public sealed partial class ChatTraffic
{
    private async Task WebSocketClientAsync(string name, bool awaitServerClose, CancellationToken stop, CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-API-Key", ApiFactory.Key);
        var connected = false;
        await RecordAsync("ws-connect", $"load-{name}", "", "", async ct =>
        {
            await socket.ConnectAsync(new Uri($"ws://{api.Authority}/ws"), ct);
            connected = true;
            return (TurnOutcome.Ok, "connected");
        }, cancellationToken);
        if (!connected)
        {
            return;
        }

        var closed = new ClosedBox();
        for (var n = 0; !stop.IsCancellationRequested && closed.Status is null; n++)
        {
            var (user, conversation, message) = Turn(name, n);
            await RecordAsync("ws", user, conversation, message, async ct =>
            {
                await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(new { type = "message", text = message, user_id = user, conversation_id = conversation }),
                    WebSocketMessageType.Text, endOfMessage: true, ct);
                return await ReadTurnAsync(socket, closed, ct);
            }, cancellationToken);
        }

        if (closed.Status is null && socket.State == WebSocketState.Open)
        {
            if (awaitServerClose)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(s_turnTimeout);
                try
                {
                    while (closed.Status is null && await ReceiveAsync(socket, closed, timeout.Token) is not null)
                    {
                    }
                }
                catch (Exception e) when (e is WebSocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    Results.Enqueue(new TurnResult("ws-close", $"load-{name}", "", "", Elapsed, 0, TurnOutcome.Error, $"not closed by the service: {e.Message}"));
                }
            }
            else
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cancellationToken);
                SocketCloses.Enqueue(null);
                return;
            }
        }

        if (closed.Status is { } status)
        {
            SocketCloses.Enqueue(status);
        }
    }

    /// <summary>Reads one turn's events: tokens, then <c>done</c> (their sum) or <c>error</c>.</summary>
    private async Task<(TurnOutcome, string)> ReadTurnAsync(ClientWebSocket socket, ClosedBox closed, CancellationToken cancellationToken)
    {
        var tokens = new StringBuilder();
        while (await ReceiveAsync(socket, closed, cancellationToken) is { } json)
        {
            using var _ = json;
            var root = json.RootElement;
            switch (root.GetProperty("type").GetString())
            {
                case "token":
                    tokens.Append(root.GetProperty("text").GetString());
                    break;
                case "done":
                    var reply = root.GetProperty("reply").GetString();
                    return reply == tokens.ToString() ? Reply(reply) : (TurnOutcome.Error, $"the tokens '{tokens}' are not the reply '{reply}'");
                case "error":
                    return root.GetProperty("code").GetString() == "llm_failed" ? (TurnOutcome.LlmFailed, root.GetRawText()) : (TurnOutcome.Error, root.GetRawText());
                default:
                    break;
            }
        }

        return (TurnOutcome.Error, $"cut: the socket closed ({closed.Status}) before done");
    }

    /// <summary>The next JSON event, or null once the service has closed the socket (answered, as a browser does).</summary>
    private async Task<JsonDocument?> ReceiveAsync(ClientWebSocket socket, ClosedBox closed, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                closed.Status = result.CloseStatus ?? WebSocketCloseStatus.Empty;
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                if (result.MessageType != WebSocketMessageType.Text)
                {
                    message.SetLength(0);
                    continue;
                }

                var json = JsonDocument.Parse(message.ToArray());
                if (json.RootElement.GetProperty("type").GetString() == "shutdown")
                {
                    Interlocked.Increment(ref _toldShutdown);
                    message.SetLength(0);
                    continue;
                }

                return json;
            }
        }
    }

    /// <summary>The service's close status once it has closed the socket.</summary>
    private sealed class ClosedBox
    {
        public WebSocketCloseStatus? Status { get; set; }
    }
}
