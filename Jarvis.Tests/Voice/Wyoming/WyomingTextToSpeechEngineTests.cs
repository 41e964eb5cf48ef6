using Jarvis.Voice.Engines;
using Jarvis.Voice.Engines.Wyoming;

namespace Jarvis.Tests.Voice.Wyoming;

public sealed class WyomingTextToSpeechEngineTests
{
    [Fact]
    public async Task SynthesizeStreamsTheChunksInOrderWithTheServersFormat()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new WyomingTestServer { AudioFormat = (22_050, 2, 1) };
        var engine = new WyomingTextToSpeechEngine(new WyomingClient(server.Endpoint));

        var speech = await engine.SynthesizeAsync(new SynthesisRequest("Hello there.", "en", "en_US-lessac-medium"), ct);

        Assert.Equal(new AudioFormat(22_050, 2, 1), speech.Format);
        Assert.Equal(server.AudioChunks, await ToListAsync(speech.Samples, ct));
        var synthesize = Assert.Single(server.Received, e => e.Type == "synthesize");
        Assert.Equal("Hello there.", synthesize.Data["text"]!.GetValue<string>());
        Assert.Equal("en_US-lessac-medium", synthesize.Data["voice"]!["name"]!.GetValue<string>());
        Assert.DoesNotContain(server.Received, e => e.Type.StartsWith("synthesize-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StreamingServerGetsTheTextSentenceBySentenceAndAllAudioComesBack()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new WyomingTestServer
        {
            Info = WyomingTestInfo.Create(transcriptStreaming: false, synthesizeStreaming: true),
            AudioFormat = (16_000, 2, 1),
        };
        var engine = new WyomingTextToSpeechEngine(new WyomingClient(server.Endpoint));

        var speech = await engine.SynthesizeAsync(new SynthesisRequest("One. Two!", "en"), ct);
        var chunks = await ToListAsync(speech.Samples, ct);

        Assert.Equal(new AudioFormat(16_000, 2, 1), speech.Format);
        // A run of audio per sentence chunk, then the final audio after synthesize-stop.
        Assert.Equal([.. server.AudioChunks, .. server.AudioChunks, .. server.AudioChunks], chunks);
        Assert.Equal(
            ["describe", "synthesize-start", "synthesize-chunk", "synthesize-chunk", "synthesize", "synthesize-stop"],
            server.Received.Select(e => e.Type));
        Assert.Equal(["One.", "Two!"], server.Received.Where(e => e.Type == "synthesize-chunk").Select(e => e.Data["text"]!.GetValue<string>()));
    }

    [Fact]
    public async Task VoicesAreTheInstalledModels()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new WyomingTestServer();
        var engine = new WyomingTextToSpeechEngine(new WyomingClient(server.Endpoint));

        var voice = Assert.Single(await engine.GetVoicesAsync(ct));

        Assert.Equal("en_US-lessac-medium", voice.Name);
        Assert.Equal(["en_US"], voice.Languages);
    }

    [Fact]
    public async Task ServerWithoutATtsProgramIsNotAvailable()
    {
        var ct = TestContext.Current.CancellationToken;
        var info = WyomingTestInfo.Create(transcriptStreaming: false, synthesizeStreaming: false);
        info.Remove("tts");
        await using var server = new WyomingTestServer { Info = info };
        var client = new WyomingClient(server.Endpoint);

        var problem = await new WyomingTextToSpeechEngine(client).CheckAvailableAsync(ct);

        Assert.Equal($"The Wyoming server at {client.Address} offers no text-to-speech (tts) program.", problem);
    }

    private static async Task<List<byte[]>> ToListAsync(IAsyncEnumerable<ReadOnlyMemory<byte>> samples, CancellationToken ct)
    {
        var list = new List<byte[]>();
        await foreach (var chunk in samples.WithCancellation(ct))
        {
            list.Add(chunk.ToArray());
        }

        return list;
    }
}
