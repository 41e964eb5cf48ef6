using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Jarvis.Voice;
using Jarvis.Voice.Engines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Jarvis.Tests.Voice;

/// <summary>pocketsphinx's model loads off the request's path: each request starts the next one's recogniser.</summary>
public sealed class PocketsphinxStandbyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EachRequestLeavesARecogniserReadyAndTheNextOneUsesIt()
    {
        await using var voice = new VoiceApiFactory();
        using var client = voice.CreateClient();
        var engine = voice.Services.GetServices<ISpeechToTextEngine>().OfType<PocketsphinxSpeechToTextEngine>().Single();
        var wav = await VoiceTestAudio.SpeakAsync(client, "turn on the kitchen light", "en", Ct);

        Assert.False(engine.HasStandby);
        var first = await TranscribeAsync(client, wav);
        Assert.True(engine.HasStandby);
        var second = await TranscribeAsync(client, wav);

        Assert.Equal(first, second);
        Assert.StartsWith("turn on the kitchen", first, StringComparison.Ordinal);
        Assert.True(engine.HasStandby);
    }

    [Fact]
    public async Task ARecogniserThatDiesBeforeReadingItsInputIsAnErrorNotAHang()
    {
        var options = new VoiceOptions();
        options.Pocketsphinx.Executable = "/bin/false";
        using var engine = new PocketsphinxSpeechToTextEngine(Options.Create(options));
        var audio = new PcmAudio(AudioFormat.Speech16K, new byte[32_000]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => engine.TranscribeAsync(audio, "en", Ct));

        Assert.Contains("exited before reading its input", error.Message, StringComparison.Ordinal);
    }

    private static async Task<string> TranscribeAsync(HttpClient client, byte[] wav)
    {
        using var response = await VoiceTestAudio.PostWavAsync(client, wav, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("text").GetString()!;
    }
}
