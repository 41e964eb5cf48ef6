using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Jarvis.Api.Chat;
using Jarvis.Api.Llm;
using Microsoft.Extensions.Options;

namespace Jarvis.Api.WebSockets;

/// <summary>
/// One chat connection and its protocol. Client: <c>{"type":"message","text","user_id"?,"conversation_id"?}</c>,
/// <c>{"type":"ping"}</c>. Server: <c>token</c> <c>{text}</c>, <c>done</c> (reply, usage, timings), <c>error</c>
/// <c>{code, message}</c>, <c>pong</c>, <c>shutdown</c>. Bad input is an <c>error</c> event, never a closed connection,
/// except a message over the byte cap, which closes with 1009.
/// </summary>
public sealed partial class ChatSocketSession(
    WebSocket socket,
    HttpContext context,
    ChatService chat,
    ChatMetrics metrics,
    IOptions<ChatSocketOptions> options,
    IOptions<ConversationOptions> conversation,
    TimeProvider timeProvider,
    ILogger<ChatSocketSession> logger) : IDisposable
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    // How long a client has to answer the service's close frame before the connection is ended anyway.
    private static readonly TimeSpan s_closeHandshakeTimeout = TimeSpan.FromSeconds(2);
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<DateTimeOffset> _recent = new();
    private Task _inFlight = Task.CompletedTask;

    /// <summary>The session id.</summary>
    public Guid Id { get; } = Guid.NewGuid();

    /// <summary>Runs the session until the client closes, the connection breaks, or the service shuts down.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var started = timeProvider.GetUtcNow();
        var messages = 0;
        LogConnected(logger);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        try
        {
            // After the service's close frame (CloseSent) the loop reads on, until the client's close completes the handshake.
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var frame = await ReceiveAsync(stopping.Token);
                if (frame is null)
                {
                    break;
                }

                messages++;
                _inFlight = HandleAsync(frame, stopping.Token);
                await _inFlight;
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
        {
            // The client went away, or the service is shutting down: nothing more to say on this connection.
        }
        finally
        {
            _ended.TrySetResult();
            var duration = timeProvider.GetUtcNow() - started;
            LogDisconnected(logger, duration.TotalSeconds, messages);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _send.Dispose();
        _closing.Dispose();
    }

    /// <summary>Tells the client the service is stopping, lets the reply in flight finish, then closes with 1001.</summary>
    public async Task ShutdownAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(new { type = "shutdown" }, cancellationToken);
            await _inFlight.WaitAsync(cancellationToken);

            // The close frame goes out, then the client has a moment to answer it: ending the receive loop at once
            // lets the endpoint dispose the socket, and the client would see a reset instead of 1001.
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "shutting down", cancellationToken);
                await _ended.Task.WaitAsync(s_closeHandshakeTimeout, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The client is already gone, or the drain timed out: nothing more to tell it.
        }
        finally
        {
            StopReceiving();
        }
    }

    private void StopReceiving()
    {
        try
        {
            _closing.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The session ended (and was disposed) while the drain was telling it to stop.
        }
    }

    /// <summary>The next whole text message, or null once the client closes; over the cap the connection closes with 1009.</summary>
    private async Task<string?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                // The client's close answers ours (the state is then Closed), or starts the handshake, which we complete.
                if (socket.State == WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
                }

                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (message.Length > options.Value.MaxMessageBytes)
            {
                LogError(logger, "message_too_big", $"a message over {options.Value.MaxMessageBytes} bytes");
                await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, $"messages are limited to {options.Value.MaxMessageBytes} bytes", cancellationToken);
                return null;
            }

            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
            }
        }
    }

    private async Task HandleAsync(string frame, CancellationToken cancellationToken)
    {
        ClientMessage? message;
        try
        {
            message = JsonSerializer.Deserialize<ClientMessage>(frame, s_json);
        }
        catch (JsonException e)
        {
            await ErrorAsync("bad_request", $"The message is not valid JSON: {e.Message}", cancellationToken);
            return;
        }

        switch (message?.Type)
        {
            case "ping":
                await SendAsync(new { type = "pong" }, cancellationToken);
                return;
            case "message" when string.IsNullOrWhiteSpace(message.Text):
                await ErrorAsync("bad_request", "A message needs a non-empty \"text\".", cancellationToken);
                return;
            case "message" when message.Text!.Length > conversation.Value.MaxMessageLength:
                await ErrorAsync("message_too_large", $"A message may have at most {conversation.Value.MaxMessageLength} characters.", cancellationToken);
                return;
            case "message" when !TryTakeMessagePermit():
                await ErrorAsync("rate_limited", $"At most {options.Value.MessagesPerWindow} messages per {options.Value.MessageWindow.TotalSeconds:0} s; the connection stays open.", cancellationToken);
                return;
            case "message":
                await ChatAsync(message, cancellationToken);
                return;
            default:
                await ErrorAsync("bad_request", "\"type\" must be \"message\" or \"ping\".", cancellationToken);
                return;
        }
    }

    private async Task ChatAsync(ClientMessage message, CancellationToken cancellationToken)
    {
        // The user is this message's only: it is on this message's logs and spans, and gone before the next one.
        context.SetUserId(message.UserId);
        try
        {
            LogMessage(logger, message.Text!.Length);
            var turn = new ChatTurn(message.UserId ?? "default", message.ConversationId ?? Guid.NewGuid().ToString("N"), message.Text);
            await foreach (var item in chat.RunAsync(turn, cancellationToken))
            {
                if (item is ChatDone)
                {
                    // Counted before the client hears of it, so whoever saw `done` sees the count.
                    metrics.Request("ws", "ok");
                }

                await SendAsync(item switch
                {
                    ChatToken token => new { type = "token", text = token.Text },
                    ChatDone done => (object)new { type = "done", reply = done.Reply, conversation_id = done.ConversationId, user_id = turn.UserId, usage = done.Usage, timings = done.Timings, responder = done.Responder },
                    _ => throw new InvalidOperationException($"Unknown chat event {item}."),
                }, cancellationToken);
            }
        }
        catch (OllamaChatException e)
        {
            metrics.Request("ws", "error");
            await ErrorAsync("llm_failed", e.Message, cancellationToken);
        }
        finally
        {
            context.SetUserId(null);
        }
    }

    private bool TryTakeMessagePermit()
    {
        var now = timeProvider.GetUtcNow();
        while (_recent.Count > 0 && now - _recent.Peek() >= options.Value.MessageWindow)
        {
            _recent.Dequeue();
        }

        if (_recent.Count >= options.Value.MessagesPerWindow)
        {
            return false;
        }

        _recent.Enqueue(now);
        return true;
    }

    private async Task ErrorAsync(string code, string message, CancellationToken cancellationToken)
    {
        LogError(logger, code, message);
        await SendAsync(new { type = "error", code, message }, cancellationToken);
    }

    private async Task SendAsync(object payload, CancellationToken cancellationToken)
    {
        await _send.WaitAsync(cancellationToken);
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(payload, s_json), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            }
        }
        finally
        {
            _send.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ws connected")]
    private static partial void LogConnected(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "ws disconnected after {DurationSeconds} s and {MessageCount} messages")]
    private static partial void LogDisconnected(ILogger logger, double durationSeconds, int messageCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "ws message of {Length} characters")]
    private static partial void LogMessage(ILogger logger, int length);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ws error {Code}: {Reason}")]
    private static partial void LogError(ILogger logger, string code, string reason);

    private sealed record ClientMessage(
        string? Type,
        string? Text,
        [property: System.Text.Json.Serialization.JsonPropertyName("user_id")] string? UserId,
        [property: System.Text.Json.Serialization.JsonPropertyName("conversation_id")] string? ConversationId);
}
