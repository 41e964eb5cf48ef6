using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Jarvis.Api.Voice;
using Jarvis.Tests.Api.Chat;
using Jarvis.Tests.Infrastructure;
using Jarvis.Tests.Infrastructure.Ollama;

namespace Jarvis.Tests.Api.Voice;

/// <summary>A real Jarvis.Voice (flite speaks, pocketsphinx listens) as a child process, shared by the voice turn tests.</summary>
public sealed class VoiceProcessFixture : IAsyncLifetime
{
    private readonly Dictionary<string, byte[]> _speech = [];

    public ServiceProcess Voice { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Voice = ServiceProcess.Start("Jarvis.Voice", "Production");
        await Voice.WaitUntilHealthyAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync() => await Voice.DisposeAsync();

    /// <summary>The WAV of <paramref name="text"/> spoken by flite through Jarvis.Voice, with its real sizes in the header.</summary>
    public async Task<byte[]> SpeechAsync(string text)
    {
        if (!_speech.TryGetValue(text, out var wav))
        {
            using var client = Voice.CreateClient();
            using var response = await client.PostAsJsonAsync("/api/tts", new { text, language = "en" }, TestContext.Current.CancellationToken);
            response.EnsureSuccessStatusCode();
            wav = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
            BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(4), (uint)(wav.Length - 8));
            BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(40), (uint)(wav.Length - 44));
            _speech[text] = wav;
        }

        return wav;
    }
}

/// <summary>
/// Voice turns through the Api against the real Jarvis.Voice: over REST as JSON and as server-sent events, over the
/// WebSocket (a voice message in several frames, the reply's audio as binary frames), with voice down, over the limits,
/// and stopped mid-reply.
/// </summary>
public sealed class VoiceTurnTests(VoiceProcessFixture voice) : IClassFixture<VoiceProcessFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AVoiceTurnAsJsonHasTheTranscriptTheReplyAndItsSpeech()
    {
        await using var api = Api();
        using var client = api.CreateKeyedClient();
        using var measurements = new MeasurementCollector(api.Services, "Jarvis.Api.Voice");

        using var response = await PostVoiceAsync(client, await voice.SpeechAsync("what time is it"));
        response.EnsureSuccessStatusCode();
        var turn = await response.Content.ReadFromJsonAsync<VoiceTurnResponse>(Ct);

        Assert.NotNull(turn);
        Assert.Contains("time", turn.Transcript, StringComparison.Ordinal);
        Assert.StartsWith("It's ", turn.Reply, StringComparison.Ordinal);
        Assert.Equal("offline", turn.Responder);
        Assert.False(string.IsNullOrEmpty(turn.ConversationId));
        Assert.Equal(response.Headers.GetValues("X-Request-ID").Single(), turn.RequestId);
        Assert.Null(turn.Note);
        AssertWav(Convert.FromBase64String(turn.Audio!), minSeconds: 0.5);
        var first = Assert.Single(measurements.Measurements, m => m.Instrument == "voice_turn_first_audio_seconds").Value;
        var whole = Assert.Single(measurements.Measurements, m => m.Instrument == "voice_turn_seconds").Value;
        Assert.InRange(first, 0.001, whole);
    }

    [Fact]
    public async Task AVoiceTurnAsEventsSpeaksTheReplySentenceBySentence()
    {
        await using var ollama = await FakeOllamaServer.StartAsync(["llama3.2:1b"], Ct);
        ollama.Enqueue(new FakeChatReply { Tokens = ["The sky", " is blue.", " The grass", " is green", "."] });
        await using var api = Api(new() { ["ConnectionStrings:ollama"] = $"Endpoint={ollama.BaseAddress};Model=llama3.2:1b" });
        using var client = api.CreateKeyedClient();

        using var request = VoiceRequest(await voice.SpeechAsync("what is the weather in Paris"));
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        response.EnsureSuccessStatusCode();
        var events = ParseEvents(await response.Content.ReadAsStringAsync(Ct));

        Assert.Equal("transcript", events[0].Name);
        Assert.Contains("weather", events[0].Data.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("done", events[^1].Name);
        var audio = events.Where(e => e.Name == "audio").ToList();
        Assert.Equal(["The sky is blue.", "The grass is green."], audio.Take(2).Select(e => e.Data.GetProperty("text").GetString()));
        Assert.Equal([0, 1], audio.Take(2).Select(e => e.Data.GetProperty("index").GetInt32()));
        Assert.All(audio, e => AssertWav(Convert.FromBase64String(e.Data.GetProperty("audio").GetString()!), minSeconds: 0.3));
        Assert.True(events.FindIndex(e => e.Name == "token") < events.FindIndex(e => e.Name == "audio"), "the text streams before the speech");
        var done = events[^1].Data;
        Assert.StartsWith("The sky is blue. The grass is green.", done.GetProperty("reply").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, done.GetProperty("audio").ValueKind);
        Assert.Equal("llm", done.GetProperty("responder").GetString());
    }

    [Fact]
    public async Task WithVoiceDownAVoiceTurnIsA503AndATypedTurnStillGetsItsTextWithANote()
    {
        await using var api = new ApiFactory();
        using var client = api.CreateKeyedClient();

        using var response = await PostVoiceAsync(client, await voice.SpeechAsync("hello"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("Voice unavailable", problem.GetProperty("title").GetString());
        Assert.Equal(response.Headers.GetValues("X-Request-ID").Single(), problem.GetProperty("requestId").GetString());

        using var socket = await ChatSocketTests.ConnectAsync(api);
        await ChatSocketTests.SendAsync(socket, new { type = "message", text = "hello", speak = true });
        var done = (await ChatSocketTests.UntilAsync(socket, "done"))[^1];
        Assert.StartsWith("Hello! I'm Jarvis.", done.GetProperty("reply").GetString(), StringComparison.Ordinal);
        Assert.Equal(SpokenReply.VoiceUnavailableNote, done.GetProperty("note").GetString());
    }

    [Fact]
    public async Task ARecordingOverTheLimitIsA413AndOneThatIsNoWavA400()
    {
        await using var api = Api(new() { ["Voice:MaxAudioBytes"] = "4096" });
        using var client = api.CreateKeyedClient();

        using var tooLarge = await PostVoiceAsync(client, await voice.SpeechAsync("what time is it"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal("application/problem+json", tooLarge.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Voice:MaxAudioBytes", await tooLarge.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        using var notWav = await PostVoiceAsync(client, Encoding.UTF8.GetBytes("this is not a recording, only words"));
        Assert.Equal(HttpStatusCode.BadRequest, notWav.StatusCode);
        Assert.Equal("application/problem+json", notWav.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task SilenceIsA422SayingNoSpeechWasRecognised()
    {
        await using var api = Api();
        using var client = api.CreateKeyedClient();
        var silence = new byte[44 + 32_000];
        (await voice.SpeechAsync("hello")).AsSpan(0, 44).CopyTo(silence);
        BinaryPrimitives.WriteUInt32LittleEndian(silence.AsSpan(4), (uint)(silence.Length - 8));
        BinaryPrimitives.WriteUInt32LittleEndian(silence.AsSpan(40), 32_000);

        using var response = await PostVoiceAsync(client, silence);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("No speech recognised", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task AWebSocketVoiceMessageInSeveralFramesGetsItsTranscriptTokensAudioFramesAndDone()
    {
        var voicePort = voice.Voice.BaseAddress.Port;
        using var voiceCalls = new SpanCollector("System.Net.Http", span => span.GetTagItem("server.port") is int port && port == voicePort);
        await using var api = Api(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:1", ["Voice:MaxAudioBytes"] = "200000" });
        using var socket = await ChatSocketTests.ConnectAsync(api);
        var wav = await voice.SpeechAsync("what time is it");

        await ChatSocketTests.SendAsync(socket, new { type = "audio_start", user_id = "alice", conversation_id = "v1", language = "en" });
        await socket.SendAsync(wav.AsMemory(0, 1000), WebSocketMessageType.Binary, true, Ct);
        await socket.SendAsync(wav.AsMemory(1000), WebSocketMessageType.Binary, true, Ct);
        await ChatSocketTests.SendAsync(socket, new { type = "audio_end" });
        var frames = await UntilDoneAsync(socket);

        var transcript = frames[0].Json!.Value;
        Assert.Equal("transcript", transcript.GetProperty("type").GetString());
        Assert.Contains("time", transcript.GetProperty("text").GetString(), StringComparison.Ordinal);
        var audio = frames.FindIndex(f => f.Json?.GetProperty("type").GetString() == "audio");
        Assert.True(audio > 0, "an audio event");
        AssertWav(frames[audio + 1].Binary!, minSeconds: 0.5);
        var done = frames[^1].Json!.Value;
        Assert.StartsWith("It's ", done.GetProperty("reply").GetString(), StringComparison.Ordinal);
        Assert.Equal("alice", done.GetProperty("user_id").GetString());
        Assert.Equal("v1", done.GetProperty("conversation_id").GetString());
        var firstTrace = done.GetProperty("trace_id").GetString();
        Assert.Matches("^[0-9a-f]{32}$", firstTrace);

        // One trace holds the transcription and every sentence spoken.
        var calls = voiceCalls.Stopped.Where(span => span.TraceId.ToHexString() == firstTrace).Select(span => span.GetTagItem("url.full") as string).ToList();
        Assert.Contains(calls, url => url!.Contains("/api/stt", StringComparison.Ordinal));
        Assert.Contains(calls, url => url!.Contains("/api/tts", StringComparison.Ordinal));

        // A single binary frame is a voice message of its own; each turn is its own trace.
        await socket.SendAsync(wav, WebSocketMessageType.Binary, true, Ct);
        var second = (await UntilDoneAsync(socket))[^1].Json!.Value;
        Assert.StartsWith("It's ", second.GetProperty("reply").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(firstTrace, second.GetProperty("trace_id").GetString());
    }

    [Fact]
    public async Task AWebSocketVoiceMessageOverTheLimitIsAnErrorAndTheSocketStaysOpen()
    {
        await using var api = Api(new() { ["Voice:MaxAudioBytes"] = "4096" });
        using var socket = await ChatSocketTests.ConnectAsync(api);
        var wav = await voice.SpeechAsync("what time is it");

        await ChatSocketTests.SendAsync(socket, new { type = "audio_start" });
        await socket.SendAsync(wav.AsMemory(0, 3000), WebSocketMessageType.Binary, true, Ct);
        await socket.SendAsync(wav.AsMemory(3000, 3000), WebSocketMessageType.Binary, true, Ct);
        await ChatSocketTests.SendAsync(socket, new { type = "audio_end" });
        var error = await ChatSocketTests.ReceiveAsync(socket);
        Assert.Equal("message_too_large", error.GetProperty("code").GetString());

        await socket.SendAsync(wav, WebSocketMessageType.Binary, true, Ct);
        Assert.Equal("message_too_large", (await ChatSocketTests.ReceiveAsync(socket)).GetProperty("code").GetString());
        await ChatSocketTests.SendAsync(socket, new { type = "ping" });
        Assert.Equal("pong", (await ChatSocketTests.ReceiveAsync(socket)).GetProperty("type").GetString());
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task StopEndsTheReplyInFlightAndTheNextMessageIsAnswered()
    {
        await using var ollama = await FakeOllamaServer.StartAsync(["llama3.2:1b"], Ct);
        var never = new TaskCompletionSource();
        ollama.Enqueue(new FakeChatReply { HoldFirstTokenUntil = never.Task });
        await using var api = Api(new() { ["ConnectionStrings:ollama"] = $"Endpoint={ollama.BaseAddress};Model=llama3.2:1b" });
        using var socket = await ChatSocketTests.ConnectAsync(api);

        await ChatSocketTests.SendAsync(socket, new { type = "message", text = "tell me a long story" });
        await Eventually.TrueAsync(() => Task.FromResult(ollama.ChatRequests.Count == 1), "the model to be asked", Ct, TimeSpan.FromSeconds(10));
        await ChatSocketTests.SendAsync(socket, new { type = "message", text = "and another" });
        Assert.Equal("busy", (await ChatSocketTests.ReceiveAsync(socket)).GetProperty("code").GetString());

        // A voice message refused as busy is refused once: its frames are not a voice message of their own.
        await ChatSocketTests.SendAsync(socket, new { type = "audio_start" });
        await socket.SendAsync(await voice.SpeechAsync("hello"), WebSocketMessageType.Binary, true, Ct);
        await ChatSocketTests.SendAsync(socket, new { type = "audio_end" });
        Assert.Equal("busy", (await ChatSocketTests.ReceiveAsync(socket)).GetProperty("code").GetString());
        await ChatSocketTests.SendAsync(socket, new { type = "ping" });
        Assert.Equal("pong", (await ChatSocketTests.ReceiveAsync(socket)).GetProperty("type").GetString());
        await ChatSocketTests.SendAsync(socket, new { type = "stop" });
        var stopped = await ChatSocketTests.ReceiveAsync(socket);

        Assert.Equal("done", stopped.GetProperty("type").GetString());
        Assert.True(stopped.GetProperty("stopped").GetBoolean());
        await ChatSocketTests.SendAsync(socket, new { type = "message", text = "hello again" });
        var next = (await ChatSocketTests.UntilAsync(socket, "done"))[^1];
        Assert.StartsWith("The sky is blue.", next.GetProperty("reply").GetString(), StringComparison.Ordinal);
        Assert.False(next.GetProperty("stopped").GetBoolean());
    }

    private ApiFactory Api(Dictionary<string, string>? settings = null)
    {
        settings ??= [];
        settings["Jarvis:VoiceUrl"] = voice.Voice.BaseAddress.ToString();
        return new ApiFactory(settings);
    }

    private static HttpRequestMessage VoiceRequest(byte[] wav)
    {
        var content = new ByteArrayContent(wav);
        content.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        return new HttpRequestMessage(HttpMethod.Post, "/api/voice?language=en") { Content = content };
    }

    private static async Task<HttpResponseMessage> PostVoiceAsync(HttpClient client, byte[] wav)
    {
        using var request = VoiceRequest(wav);
        return await client.SendAsync(request, Ct);
    }

    /// <summary>A whole 16-bit PCM WAV whose header gives its real sizes, lasting at least <paramref name="minSeconds"/>.</summary>
    private static void AssertWav(byte[] wav, double minSeconds)
    {
        Assert.Equal("RIFF", Encoding.ASCII.GetString(wav, 0, 4));
        Assert.Equal("WAVE", Encoding.ASCII.GetString(wav, 8, 4));
        Assert.Equal((uint)(wav.Length - 8), BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(4)));
        Assert.Equal((uint)(wav.Length - 44), BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(40)));
        Assert.Equal(16, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(34)));
        var seconds = (wav.Length - 44) / (double)BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(28));
        Assert.True(seconds >= minSeconds, $"{seconds:0.00} s of audio");
    }

    private static List<(string Name, JsonElement Data)> ParseEvents(string body) =>
        [.. body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(block =>
        {
            var lines = block.Split('\n');
            var name = lines.Single(l => l.StartsWith("event: ", StringComparison.Ordinal))["event: ".Length..];
            var data = lines.Single(l => l.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..];
            return (name, JsonDocument.Parse(data).RootElement);
        })];

    private static async Task<List<(JsonElement? Json, byte[]? Binary)>> UntilDoneAsync(WebSocket socket)
    {
        var frames = new List<(JsonElement? Json, byte[]? Binary)>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        // A bound, not a figure: transcription on a loaded 2-core machine takes seconds.
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        var buffer = new byte[64 * 1024];
        while (frames.Count == 0 || frames[^1].Json?.GetProperty("type").GetString() is not ("done" or "error"))
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, timeout.Token);
                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);

            frames.Add(result.MessageType == WebSocketMessageType.Binary
                ? (null, message.ToArray())
                : (JsonDocument.Parse(message.ToArray()).RootElement, null));
        }

        return frames;
    }
}
