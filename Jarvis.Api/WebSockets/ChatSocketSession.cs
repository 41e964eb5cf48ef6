using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Jarvis.Api.Chat;
using Jarvis.Api.Llm;
using Jarvis.Api.Quotas;
using Jarvis.Api.Skills;
using Jarvis.Api.Voice;
using Microsoft.Extensions.Options;

namespace Jarvis.Api.WebSockets;

/// <summary>
/// One chat connection and its protocol (docs/web-api.md). Client: <c>{"type":"message","text","user_id"?,
/// "conversation_id"?,"speak"?}</c>, <c>stop</c>, <c>ping</c>, and voice messages (<c>audio_start</c>, binary WAV frames,
/// <c>audio_end</c>; or one binary frame). Server: <c>transcript</c>, <c>token</c> <c>{text}</c>, <c>audio</c> followed by
/// its WAV as a binary frame, <c>done</c> (reply, request and trace ids, usage, timings), <c>error</c> <c>{code, message}</c>,
/// <c>pong</c>, <c>shutdown</c>. Bad input is an <c>error</c> event, never a closed connection, except a text message
/// over the byte cap, which closes with 1009. Each turn is its own trace.
/// </summary>
public sealed partial class ChatSocketSession(
    WebSocket socket,
    HttpContext context,
    ChatService chat,
    ChatMetrics metrics,
    VoiceClient voice,
    SpokenReply spoken,
    IOptions<ChatSocketOptions> options,
    IOptions<ConversationOptions> conversation,
    IOptions<VoiceTurnOptions> voiceLimits,
    TimeProvider timeProvider,
    ILogger<ChatSocketSession> logger) : IDisposable
{
    /// <summary>The source of the <c>ws turn</c> spans.</summary>
    public static readonly ActivitySource Source = new("Jarvis.Api.WebSockets");

    private const string ShuttingDownMessage = "The service is stopping: no new reply on this connection; reconnect in a moment.";
    private const string BusyMessage = "A reply is still being written: wait for its \"done\", or send {\"type\":\"stop\"}.";

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    // How long a client has to answer the service's close frame before the connection is ended anyway.
    private static readonly TimeSpan s_closeHandshakeTimeout = TimeSpan.FromSeconds(2);
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<DateTimeOffset> _recent = new();
    private Task _turn = Task.CompletedTask;

    // True from a turn's start until its last event (done or error) is about to be sent: a client that sends its next
    // message on seeing `done` is not told the session is busy while the turn winds down.
    private volatile bool _replying;

    // The client asked to stop the turn (rather than going away).
    private volatile bool _stopRequested;
    private CancellationTokenSource? _turnStop;

    // The voice message being received, between audio_start and audio_end.
    private MemoryStream? _audio;
    private ClientMessage? _audioMessage;
    private bool _audioTooLarge;
    private bool _droppingAudio;
    private volatile bool _shuttingDown;

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
                await HandleAsync(frame, stopping.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
        {
            // The client went away, or the service is shutting down: nothing more to say on this connection.
        }
        finally
        {
            // A reply nobody will read is not written on.
            StopTurn();
            await _turn.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
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
        _turnStop?.Dispose();
        _audio?.Dispose();
    }

    /// <summary>Tells the client the service is stopping, lets the reply in flight finish, then closes with 1001.</summary>
    public async Task ShutdownAsync(CancellationToken cancellationToken)
    {
        _shuttingDown = true;
        try
        {
            await SendAsync(new { type = "shutdown" }, cancellationToken);
            await _turn.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

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

    /// <summary>
    /// The next whole message, or null once the client closes. A text message over the cap closes the connection with
    /// 1009; audio over <c>Voice:MaxAudioBytes</c> is read to its end and dropped (<see cref="Frame.TooLarge"/>).
    /// </summary>
    private async Task<Frame?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        var tooLarge = false;
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

            var binary = result.MessageType == WebSocketMessageType.Binary;
            if (!tooLarge)
            {
                message.Write(buffer, 0, result.Count);
            }

            if (!binary && message.Length > options.Value.MaxMessageBytes)
            {
                LogError(logger, "message_too_big", $"a message over {options.Value.MaxMessageBytes} bytes");
                await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, $"messages are limited to {options.Value.MaxMessageBytes} bytes", cancellationToken);
                return null;
            }

            if (binary && message.Length + (_audio?.Length ?? 0) > voiceLimits.Value.MaxAudioBytes)
            {
                tooLarge = true;
                message.SetLength(0);
            }

            if (result.EndOfMessage)
            {
                return binary
                    ? new Frame(null, message.ToArray(), tooLarge)
                    : new Frame(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length), null, false);
            }
        }
    }

    private async Task HandleAsync(Frame frame, CancellationToken cancellationToken)
    {
        if (frame.Audio is not null)
        {
            await AudioAsync(frame, cancellationToken);
            return;
        }

        ClientMessage? message;
        try
        {
            message = JsonSerializer.Deserialize<ClientMessage>(frame.Text!, s_json);
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
            case "stop":
                _stopRequested = true;
                StopTurn();
                return;
            case "audio_end" when _droppingAudio:
                // The end of a voice message already refused: nothing to say twice.
                _droppingAudio = false;
                return;
            case "audio_start" when _shuttingDown:
                _droppingAudio = true;
                await ErrorAsync("shutting_down", ShuttingDownMessage, cancellationToken);
                return;
            case "message" or "audio_end" when _shuttingDown:
                // After `shutdown` no turn starts: the reply in flight is the last one on this connection.
                ResetAudio();
                await ErrorAsync("shutting_down", ShuttingDownMessage, cancellationToken);
                return;
            case "audio_start" when _replying:
                // Its frames are dropped until its audio_end: they are not a voice message of their own.
                _droppingAudio = true;
                await ErrorAsync("busy", BusyMessage, cancellationToken);
                return;
            case "message" or "audio_end" when _replying:
                if (message.Type == "audio_end")
                {
                    ResetAudio();
                }

                await ErrorAsync("busy", BusyMessage, cancellationToken);
                return;
            case "message" when string.IsNullOrWhiteSpace(message.Text):
                await ErrorAsync("bad_request", "A message needs a non-empty \"text\".", cancellationToken);
                return;
            case "message" when message.Text!.Length > conversation.Value.MaxMessageLength:
                await ErrorAsync("message_too_large", $"A message may have at most {conversation.Value.MaxMessageLength} characters.", cancellationToken);
                return;
            case "message" or "audio_end" when !TryTakeMessagePermit():
                ResetAudio();
                await ErrorAsync("rate_limited", RateLimitedMessage, cancellationToken);
                return;
            case "message":
                await StartTurnAsync(message, message.Text!, message.Speak == true ? Utterance.DetectLanguage(Utterance.Fold(message.Text!)) : null, voiceStarted: null, activity: null, cancellationToken);
                return;
            case "audio_start":
                ResetAudio();
                _audio = new MemoryStream();
                _audioMessage = message;
                return;
            case "audio_end" when _audio is null:
                await ErrorAsync("bad_request", "\"audio_end\" needs an \"audio_start\" and binary frames before it.", cancellationToken);
                return;
            case "audio_end":
                var (audio, tooLarge, start) = (_audio.ToArray(), _audioTooLarge, _audioMessage!);
                ResetAudio();
                await VoiceAsync(start, audio, tooLarge, cancellationToken);
                return;
            default:
                await ErrorAsync("bad_request", "\"type\" must be \"message\", \"stop\", \"ping\", \"audio_start\" or \"audio_end\".", cancellationToken);
                return;
        }
    }

    // Forgets the voice message being received, whatever state it was left in.
    private void ResetAudio()
    {
        _audio?.Dispose();
        (_audio, _audioMessage, _audioTooLarge, _droppingAudio) = (null, null, false, false);
    }

    /// <summary>A binary frame: part of the voice message <c>audio_start</c> opened, or a whole voice message on its own.</summary>
    private async Task AudioAsync(Frame frame, CancellationToken cancellationToken)
    {
        if (_droppingAudio)
        {
            return;
        }

        if (_audio is not null)
        {
            _audioTooLarge |= frame.TooLarge;
            if (!_audioTooLarge)
            {
                _audio.Write(frame.Audio);
            }

            return;
        }

        if (_shuttingDown)
        {
            await ErrorAsync("shutting_down", ShuttingDownMessage, cancellationToken);
            return;
        }

        if (_replying)
        {
            await ErrorAsync("busy", BusyMessage, cancellationToken);
            return;
        }

        if (!TryTakeMessagePermit())
        {
            await ErrorAsync("rate_limited", RateLimitedMessage, cancellationToken);
            return;
        }

        await VoiceAsync(new ClientMessage("audio_start", null, null, null, null, null), frame.Audio!, frame.TooLarge, cancellationToken);
    }

    /// <summary>Transcribes a voice message, says what was heard, and starts its turn with the reply spoken.</summary>
    private async Task VoiceAsync(ClientMessage start, byte[] wav, bool tooLarge, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var limits = voiceLimits.Value;
        if ((tooLarge ? (StatusCodes.Status413PayloadTooLarge, $"A recording may have at most {limits.MaxAudioBytes} bytes (Voice:MaxAudioBytes).") : limits.Check(wav)) is var (status, detail))
        {
            await ErrorAsync(status == StatusCodes.Status413PayloadTooLarge ? "message_too_large" : "bad_request", detail, cancellationToken);
            return;
        }

        var language = string.IsNullOrWhiteSpace(start.Language) ? "en" : start.Language.Trim().ToLowerInvariant();
        // The transcription is part of the turn's trace; the turn takes the span over once it starts.
        var activity = StartTurnActivity(start.UserId);
        try
        {
            var transcript = await voice.TranscribeAsync(wav, language, cancellationToken);
            if (string.IsNullOrWhiteSpace(transcript.Text))
            {
                await ErrorAsync("no_speech", "No words were recognised in the recording; speak closer to the microphone, or type the message.", cancellationToken);
                return;
            }

            await SendAsync(new { type = "transcript", text = transcript.Text, language = transcript.Language }, cancellationToken);
            await StartTurnAsync(start, transcript.Text, language, started, activity, cancellationToken);
            activity = null;
        }
        catch (VoiceUnavailableException e)
        {
            await ErrorAsync("voice_unavailable", $"The recording could not be transcribed: {e.Message} Type the message instead.", cancellationToken);
        }
        catch (VoiceRejectedException e)
        {
            await ErrorAsync("bad_request", e.Message, cancellationToken);
        }
        finally
        {
            activity?.Dispose();
        }
    }

    /// <summary>
    /// A turn's root span, <c>ws turn</c>: each turn is its own trace (linked to the connection's), so a reply's
    /// trace_id shows that turn alone. Its spans carry the connection's request id and this message's user only.
    /// </summary>
    private Activity? StartTurnActivity(string? userId)
    {
        var connection = Activity.Current;
        Activity.Current = null;
        var activity = Source.StartActivity(ActivityKind.Server, links: connection is null ? null : [new ActivityLink(connection.Context)], name: "ws turn");
        activity?.SetTag("request_id", context.GetRequestId());
        activity?.SetTag("user_id", userId);
        return activity;
    }

    // The receive loop goes on while the turn runs, so "stop" and "ping" are heard.
    private async Task StartTurnAsync(ClientMessage message, string text, string? speakLanguage, long? voiceStarted, Activity? activity, CancellationToken cancellationToken)
    {
        // The previous turn has sent its last event; let it finish (it clears its user) before this one starts.
        await _turn.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _replying = true;
        _stopRequested = false;
        _turnStop?.Dispose();
        _turnStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _turn = TurnAsync(message, text, speakLanguage, voiceStarted, activity ?? StartTurnActivity(message.UserId), _turnStop.Token);
    }

    private void StopTurn()
    {
        try
        {
            _turnStop?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The turn is over already.
        }
    }

    private async Task TurnAsync(ClientMessage message, string text, string? speakLanguage, long? voiceStarted, Activity? activity, CancellationToken cancellationToken)
    {
        using var _ = activity;

        // The user is this message's only: it is on this message's logs and spans, and gone before the next one.
        context.SetUserId(message.UserId);
        var reply = new StringBuilder();
        var turn = ChatTurn.Of(message.UserId, message.ConversationId, text);
        var doneSent = false;

        // Sends use the session's token, never the stop token: a send cancelled mid-frame aborts the whole connection.
        var send = _closing.Token;
        try
        {
            LogMessage(logger, text.Length);
            var chatEvents = chat.RunAsync(turn, cancellationToken);
            var events = speakLanguage is null ? Unspoken(chatEvents) : spoken.SpeakAsync(chatEvents, speakLanguage, voiceStarted, cancellationToken);
            await foreach (var item in events.WithCancellation(cancellationToken))
            {
                switch (item)
                {
                    case VoiceToken token:
                        reply.Append(token.Text);
                        await SendAsync(new { type = "token", text = token.Text }, send);
                        break;
                    case VoiceAudio sentence:
                        await SendAsync(new { type = "audio", index = sentence.Index, text = sentence.Text }, send, sentence.Wav);
                        break;
                    case VoiceDone done:
                        // Counted before the client hears of it, so whoever saw `done` sees the count.
                        metrics.Request("ws", "ok");
                        _replying = false;
                        doneSent = true;
                        await SendAsync(Done(done.Chat.Reply, turn, done.Chat, activity, done.Note, stopped: false), send);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (_stopRequested && !doneSent)
        {
            // Stopped by the user: the reply so far is the reply.
            metrics.Request("ws", "stopped");
            _replying = false;
            await SendAsync(Done(reply.ToString(), turn, chat: null, activity, note: null, stopped: true), send);
        }
        catch (OperationCanceledException) when (doneSent || _closing.IsCancellationRequested || context.RequestAborted.IsCancellationRequested)
        {
            // A stop after the reply's end, the service stopping, or the client gone: nothing more to say.
        }
        catch (OllamaChatException e)
        {
            metrics.Request("ws", "error");
            _replying = false;
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            await ErrorAsync("llm_failed", e.Message, send);
        }
        catch (QuotaExceededException e)
        {
            metrics.Request("ws", "rejected");
            _replying = false;
            LogError(logger, "quota_exceeded", e.Message);
            await SendAsync(new { type = "error", code = "quota_exceeded", message = e.Message, reset_at = e.ResetAt }, send);
        }
        catch (Exception e) when (e is not (OperationCanceledException or WebSocketException or IOException) && !doneSent)
        {
            // Anything else still ends the turn with an error the client can show, and is logged.
            metrics.Request("ws", "error");
            _replying = false;
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            LogTurnFailed(logger, e);
            await ErrorAsync("internal_error", "The reply failed; try again.", send);
        }
        finally
        {
            _replying = false;
            context.SetUserId(null);
        }
    }

    private object Done(string reply, ChatTurn turn, ChatDone? chat, Activity? activity, string? note, bool stopped) => new
    {
        type = "done",
        reply,
        conversation_id = turn.ConversationId,
        user_id = turn.UserId,
        request_id = context.GetRequestId(),
        trace_id = activity?.TraceId.ToHexString(),
        usage = chat?.Usage,
        timings = chat?.Timings,
        responder = chat?.Responder,
        note,
        stopped,
    };

    private static async IAsyncEnumerable<VoiceEvent> Unspoken(IAsyncEnumerable<ChatEvent> events)
    {
        await foreach (var item in events)
        {
            yield return item switch
            {
                ChatToken token => new VoiceToken(token.Text),
                ChatDone done => new VoiceDone(done, null),
                _ => throw new InvalidOperationException($"Unknown chat event {item}."),
            };
        }
    }

    private string RateLimitedMessage => $"At most {options.Value.MessagesPerWindow} messages per {options.Value.MessageWindow.TotalSeconds:0} s; the connection stays open.";

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

    /// <summary>Sends <paramref name="payload"/> and, right after it with nothing in between, <paramref name="binary"/>.</summary>
    private async Task SendAsync(object payload, CancellationToken cancellationToken, byte[]? binary = null)
    {
        await _send.WaitAsync(cancellationToken);
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(payload, s_json), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
                if (binary is not null)
                {
                    await socket.SendAsync(binary, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
                }
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

    [LoggerMessage(Level = LogLevel.Error, Message = "ws turn failed")]
    private static partial void LogTurnFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ws error {Code}: {Reason}")]
    private static partial void LogError(ILogger logger, string code, string reason);

    private sealed record ClientMessage(
        string? Type,
        string? Text,
        [property: JsonPropertyName("user_id")] string? UserId,
        [property: JsonPropertyName("conversation_id")] string? ConversationId,
        bool? Speak,
        string? Language);

    /// <summary>A whole message: <see cref="Text"/>, or <see cref="Audio"/> (empty and <see cref="TooLarge"/> when over the limit).</summary>
    private sealed record Frame(string? Text, byte[]? Audio, bool TooLarge);
}
