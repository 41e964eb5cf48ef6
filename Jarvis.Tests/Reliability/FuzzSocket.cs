using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CsCheck;
using Jarvis.Api.Chat;
using Jarvis.Tests.Api.Chat;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Jarvis.Tests.Reliability;

/// <summary>A generated WebSocket message: text or binary, sent in <see cref="Fragments"/> frames.</summary>
public sealed record FuzzFrame(bool Binary, byte[] Payload, int Fragments)
{
    public override string ToString() =>
        $"{(Binary ? "binary" : "text")} message of {Payload.Length} bytes in {Fragments} frame(s): {Encoding.UTF8.GetString(Payload.AsSpan(0, Math.Min(Payload.Length, 200)))}";
}

/// <summary>What one connection's share of the frames came to.</summary>
public sealed class FuzzSocketRun
{
    public List<string> Failures { get; } = [];

    public int Sent { get; set; }

    public int Errors { get; set; }

    public int Replies { get; set; }

    public int TooBig { get; set; }

    /// <summary>How often each error code came.</summary>
    public Dictionary<string, int> Codes { get; } = [];
}

/// <summary>The WebSocket fuzzer: the frames (docs/web-api.md's client messages, mutated) and the exchange that checks each answer.</summary>
public static class FuzzSocket
{
    /// <summary>The Api's cap on a text message (Jarvis:WebSocket:MaxMessageBytes), past which it closes with 1009.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    private static readonly string[] s_events = ["transcript", "token", "audio", "done", "error", "pong", "shutdown"];

    // internal_error is left out on purpose: it says a turn failed unexpectedly, which is what the fuzz looks for.
    private static readonly string[] s_codes = ["bad_request", "message_too_large", "rate_limited", "llm_failed", "voice_unavailable", "no_speech", "busy"];

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);
    private static readonly byte[] s_ping = """{"type":"ping"}"""u8.ToArray();

    private static readonly Gen<string> ClientMessage = JsonFuzz.ObjectOf(
        ("type", JsonFuzz.Str(Gen.Frequency<string>(
            (8, Gen.Const("message")), (6, Gen.OneOf("ping", "stop", "audio_start", "audio_end")), (1, Gen.OneOf("dance", "", "MESSAGE")), (1, JsonFuzz.Text)))),
        ("text", JsonFuzz.Str(JsonFuzz.Text)),
        ("user_id", JsonFuzz.Str(JsonFuzz.Id)),
        ("conversation_id", JsonFuzz.Str(JsonFuzz.Id)),
        ("speak", Gen.Frequency<string>((6, Gen.Const("false")), (1, Gen.Const("true")), (1, Gen.OneOf("\"yes\"", "1", "null")))),
        ("language", JsonFuzz.Str(Gen.OneOf("en", "fr", "", "xx-YY"))));

    /// <summary>Mutated client messages, WAVs and garbage as binary or text, and about one in ninety over the cap.</summary>
    public static readonly Gen<FuzzFrame> Frame = Gen.Frequency<FuzzFrame>(
        (70, Gen.Select(JsonFuzz.Body(ClientMessage), Gen.Frequency<int>((4, Gen.Const(1)), (1, Gen.Int[2, 4])), (body, fragments) => new FuzzFrame(false, body, fragments))),
        (10, WavFuzz.Wav.Select(wav => new FuzzFrame(true, wav, 1))),
        (5, GarbageFuzz.Bytes.Select(bytes => new FuzzFrame(true, bytes, 1))),
        (5, GarbageFuzz.Bytes.Select(bytes => new FuzzFrame(false, bytes, 1))),
        (1, Gen.Int[MaxMessageBytes + 1, 2 * MaxMessageBytes].Select(n => new FuzzFrame(false, Encoding.UTF8.GetBytes(new string('a', n)), 3))));

    /// <summary>Sends <paramref name="frames"/> in order on one connection (a new one after each 1009), checking every answer.</summary>
    public static async Task<FuzzSocketRun> RunAsync(WebApplicationFactory<ChatService> api, IReadOnlyList<FuzzInput<FuzzFrame>> frames, CancellationToken cancellationToken)
    {
        var run = new FuzzSocketRun();
        var socket = await ConnectAsync(api, cancellationToken);
        try
        {
            foreach (var frame in frames)
            {
                run.Sent++;
                string? failure;
                try
                {
                    failure = await ExchangeAsync(socket, frame.Value, run, cancellationToken);
                }
                catch (Exception e) when (e is WebSocketException or IOException or JsonException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    failure = $"threw {e.GetType().Name}: {e.Message}";
                }

                if (failure is not null)
                {
                    run.Failures.Add($"input {frame.Index} (seed {frame.Seed}): {failure}\n    for {frame.Value}");
                }

                if (socket.State != WebSocketState.Open)
                {
                    socket.Dispose();
                    socket = await ConnectAsync(api, cancellationToken);
                }
            }
        }
        finally
        {
            socket.Dispose();
        }

        return run;
    }

    private static async Task<string?> ExchangeAsync(WebSocket socket, FuzzFrame frame, FuzzSocketRun run, CancellationToken cancellationToken)
    {
        var type = frame.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text;
        var size = Math.Max(1, (frame.Payload.Length + frame.Fragments - 1) / frame.Fragments);
        for (var offset = 0; offset < frame.Payload.Length || offset == 0; offset += size)
        {
            var end = Math.Min(frame.Payload.Length, offset + size);
            await socket.SendAsync(frame.Payload.AsMemory(offset, end - offset), type, end == frame.Payload.Length, cancellationToken);
            if (end == frame.Payload.Length)
            {
                break;
            }
        }

        var tooBig = !frame.Binary && frame.Payload.Length > MaxMessageBytes;
        if (tooBig)
        {
            return await UntilClosedAsync(socket, run, cancellationToken);
        }

        // The service reads the text as UTF-8 (invalid bytes replaced) into its message record: do the same to know
        // whether this frame is a ping of its own (a second pong) or not JSON at all (an error event is owed).
        var (parsed, invalid) = frame.Binary ? (null, false) : Parse(Encoding.UTF8.GetString(frame.Payload));
        await socket.SendAsync(s_ping, WebSocketMessageType.Text, true, cancellationToken);
        var pongs = parsed?.Type == "ping" ? 2 : 1;

        // A message with text starts a turn: wait for its done (or the error that refuses it), so the next frame does
        // not just find the session busy.
        var turn = parsed is { Type: "message", Text: { } text } && !string.IsNullOrWhiteSpace(text);
        var errors = 0;
        var audio = false;
        string? failure = null;

        // Read on to the pong even after a failure, so the next frame's answers are not taken for this one's.
        while (pongs > 0 || turn)
        {
            var (kind, data, close) = await ReceiveAsync(socket, cancellationToken);
            if (kind == WebSocketMessageType.Close)
            {
                return $"the connection closed ({close})";
            }

            if (kind == WebSocketMessageType.Binary)
            {
                failure ??= audio ? null : "a binary frame no audio event announced";
                audio = false;
                continue;
            }

            var message = JsonDocument.Parse(data).RootElement;
            var name = message.GetProperty("type").GetString();
            switch (name)
            {
                case "pong":
                    pongs--;
                    break;
                case "audio":
                    audio = true;
                    break;
                case "done":
                    run.Replies++;
                    turn = false;
                    break;
                case "error" when !s_codes.Contains(message.GetProperty("code").GetString()) || message.GetProperty("message").GetString() is not { Length: > 0 }:
                    failure ??= $"an error event outside the protocol: {Encoding.UTF8.GetString(data)}";
                    turn = false;
                    break;
                case "error":
                    var code = message.GetProperty("code").GetString()!;
                    run.Codes[code] = run.Codes.GetValueOrDefault(code) + 1;
                    run.Errors++;
                    errors++;
                    turn = false;
                    break;
                case var other when !s_events.Contains(other):
                    failure ??= $"an undocumented event: {Encoding.UTF8.GetString(data)}";
                    break;
            }
        }

        return failure ?? (invalid && errors == 0 ? "a message that is not valid JSON got no error event" : null);
    }

    // Events of earlier turns may come first; then the service must close with 1009.
    private static async Task<string?> UntilClosedAsync(WebSocket socket, FuzzSocketRun run, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (kind, _, close) = await ReceiveAsync(socket, cancellationToken);
            if (kind == WebSocketMessageType.Close)
            {
                if (close != WebSocketCloseStatus.MessageTooBig)
                {
                    return $"an oversized message closed the connection with {close}, not 1009";
                }

                run.TooBig++;
                return null;
            }
        }
    }

    private static (WsMessage? Message, bool Invalid) Parse(string text)
    {
        try
        {
            return (JsonSerializer.Deserialize<WsMessage>(text, s_json), false);
        }
        catch (JsonException)
        {
            return (null, true);
        }
    }

    private static async Task<(WebSocketMessageType Kind, byte[] Data, WebSocketCloseStatus? Close)> ReceiveAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        using var message = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (result.MessageType, [], result.CloseStatus);
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, message.ToArray(), null);
            }
        }
    }

    private static async Task<WebSocket> ConnectAsync(WebApplicationFactory<ChatService> api, CancellationToken cancellationToken)
    {
        var client = api.Server.CreateWebSocketClient();
        client.ConfigureRequest = request => request.Headers["X-API-Key"] = ApiFactory.Key;
        return await client.ConnectAsync(new Uri(api.Server.BaseAddress, "/ws"), cancellationToken);
    }

    // The service's own reading of a client message (ChatSocketSession.ClientMessage).
    private sealed record WsMessage(
        string? Type,
        string? Text,
        [property: JsonPropertyName("user_id")] string? UserId,
        [property: JsonPropertyName("conversation_id")] string? ConversationId,
        bool? Speak,
        string? Language);
}
