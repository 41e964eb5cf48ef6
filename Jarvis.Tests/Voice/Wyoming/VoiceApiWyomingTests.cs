using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Jarvis.Voice.Engines;

namespace Jarvis.Tests.Voice.Wyoming;

/// <summary>
/// The voice API with <c>ConnectionStrings:stt</c> / <c>ConnectionStrings:tts</c> naming Wyoming servers: they are
/// preferred over the local engines, and a server that does not answer is passed over for the local engines.
/// </summary>
public sealed class VoiceApiWyomingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConfiguredWyomingServersSpeakAndTranscribeForTheApi()
    {
        await using var server = new WyomingTestServer { AudioFormat = (22_050, 2, 1) };
        await using var voice = new VoiceApiFactory(new Dictionary<string, string>
        {
            ["ConnectionStrings:tts"] = $"Endpoint={server.Endpoint}",
            ["ConnectionStrings:stt"] = $"Endpoint={server.Endpoint}",
        });
        using var client = voice.CreateClient();

        // Piper's voices are "en_US": a request for "en" is theirs.
        var wav = await VoiceTestAudio.SpeakAsync(client, "Hello there.", "en", Ct);
        using var transcribed = await VoiceTestAudio.PostWavAsync(client, VoiceTestAudio.Tone(AudioFormat.Speech16K, 1), Ct);
        var transcript = await transcribed.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(22_050, BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(24)));
        Assert.Equal(server.AudioChunks.SelectMany(c => c), wav[44..]);
        Assert.Contains(server.Received, e => e.Type == "synthesize" && e.Data["text"]!.GetValue<string>() == "Hello there.");
        Assert.Equal(HttpStatusCode.OK, transcribed.StatusCode);
        Assert.Equal("wyoming", transcript.GetProperty("engine").GetString());
        Assert.Equal("hello world", transcript.GetProperty("text").GetString());
    }

    [Fact]
    public async Task AWyomingServerThatDoesNotAnswerIsPassedOverForTheLocalEngines()
    {
        await using var voice = new VoiceApiFactory(new Dictionary<string, string> { ["ConnectionStrings:tts"] = "Endpoint=tcp://127.0.0.1:1" });
        using var client = voice.CreateClient();

        var wav = await VoiceTestAudio.SpeakAsync(client, "Hello there.", "en", Ct);
        var health = await (await client.GetAsync(new Uri("/health", UriKind.Relative), Ct)).Content.ReadAsStringAsync(Ct);

        Assert.Equal(16_000, BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(24)));
        Assert.Contains("tcp://127.0.0.1:1", health, StringComparison.Ordinal);
    }
}
