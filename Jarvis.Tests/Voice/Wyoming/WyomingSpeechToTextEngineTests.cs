using System.Buffers.Binary;
using Jarvis.Voice.Engines;
using Jarvis.Voice.Engines.Wyoming;

namespace Jarvis.Tests.Voice.Wyoming;

public sealed class WyomingSpeechToTextEngineTests
{
    [Fact]
    public async Task TranscribeSendsSixteenKilohertzMonoChunksAndReturnsTheTranscript()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new WyomingTestServer { Transcript = " hello world " };
        var engine = new WyomingSpeechToTextEngine(new WyomingClient(server.Endpoint));

        // One second of 44.1 kHz stereo becomes one second of 16 kHz mono: 32,000 bytes.
        var transcript = await engine.TranscribeAsync(Stereo(44_100, frames: 44_100), "en", ct);

        Assert.Equal(new Transcript("hello world", "en"), transcript);
        var received = server.Received.ToList();
        Assert.Equal(["transcribe", "audio-start"], received.Take(2).Select(e => e.Type));
        Assert.Equal("audio-stop", received[^1].Type);
        Assert.Equal("en", received[0].Data["language"]!.GetValue<string>());
        var chunks = received.Where(e => e.Type == "audio-chunk").ToList();
        Assert.True(chunks.Count > 1);
        Assert.All(received.Where(e => e.Type is "audio-start" or "audio-chunk"), e =>
        {
            Assert.Equal(16_000, e.Data["rate"]!.GetValue<int>());
            Assert.Equal(2, e.Data["width"]!.GetValue<int>());
            Assert.Equal(1, e.Data["channels"]!.GetValue<int>());
        });
        Assert.Equal(32_000, chunks.Sum(c => c.Payload.Length));
    }

    [Fact]
    public async Task StreamedTranscriptIsAssembledFromItsChunks()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new WyomingTestServer
        {
            Info = WyomingTestInfo.Create(transcriptStreaming: true, synthesizeStreaming: false),
            TranscriptChunks = ["Turn on ", "the ", "lights."],
            Transcript = "compatibility text",
        };
        var engine = new WyomingSpeechToTextEngine(new WyomingClient(server.Endpoint));

        var transcript = await engine.TranscribeAsync(new PcmAudio(AudioFormat.Speech16K, new byte[6_400]), null, ct);

        Assert.Equal("Turn on the lights.", transcript.Text);
        Assert.Equal("en", transcript.Language);
    }

    [Fact]
    public async Task CheckAvailableDescribesTheServerAndLearnsItsLanguages()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new WyomingTestServer();
        var engine = new WyomingSpeechToTextEngine(new WyomingClient(server.Endpoint));

        Assert.Null(await engine.CheckAvailableAsync(ct));
        Assert.Equal(["en", "fr"], engine.Languages);
        Assert.Equal("wyoming", engine.Name);
    }

    private static PcmAudio Stereo(int rate, int frames)
    {
        var samples = new byte[frames * 4];
        for (var f = 0; f < frames; f++)
        {
            var value = (short)(Math.Sin(f * 2 * Math.PI * 440 / rate) * 10_000);
            BinaryPrimitives.WriteInt16LittleEndian(samples.AsSpan(f * 4), value);
            BinaryPrimitives.WriteInt16LittleEndian(samples.AsSpan((f * 4) + 2), value);
        }

        return new PcmAudio(new AudioFormat(rate, 2, 2), samples);
    }
}
