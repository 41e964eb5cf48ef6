using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Jarvis.Voice.Engines;
using Jarvis.Voice.Model;

namespace Jarvis.Tests.Voice;

/// <summary>Missing engines and overload: Degraded health and 503s that say why, and a service that keeps working.</summary>
public sealed class VoiceAvailabilityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AMissingEngineDegradesHealthNamingItsPackageAndItsEndpointAnswers503()
    {
        await using var api = new VoiceApiFactory(new Dictionary<string, string>
        {
            ["Voice:Pocketsphinx:Executable"] = "/nonexistent/pocketsphinx_continuous",
            ["Voice:EspeakNg:Executable"] = "no-such-espeak-ng",
        });
        using var client = api.CreateClient();

        using var health = JsonDocument.Parse(await client.GetStringAsync("/health", Ct));
        var voice = health.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "voice");
        Assert.Equal("Degraded", voice.GetProperty("status").GetString());
        Assert.Contains("apt-get install pocketsphinx", voice.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("apt-get install espeak-ng", voice.GetProperty("description").GetString(), StringComparison.Ordinal);

        using var stt = await VoiceTestAudio.PostWavAsync(client, VoiceTestAudio.Tone(AudioFormat.Speech16K, 1), Ct);
        await VoiceApiTests.AssertProblemAsync(stt, HttpStatusCode.ServiceUnavailable, "pocketsphinx");
        using var french = await client.PostAsJsonAsync("/api/tts", new { text = "bonjour", language = "fr" }, Ct);
        await VoiceApiTests.AssertProblemAsync(french, HttpStatusCode.ServiceUnavailable, "espeak-ng");

        var voices = await client.GetFromJsonAsync<VoicesResponse>("/api/voices", Ct);
        Assert.Equal(["flite"], voices?.TextToSpeech.Select(e => e.Engine));
        Assert.Empty(voices!.SpeechToText);
    }

    [Fact]
    public async Task RequestsBeyondTheConcurrencyBoundGet503AndTheServiceKeepsWorking()
    {
        await using var api = new VoiceApiFactory(new Dictionary<string, string> { ["Voice:MaxConcurrency"] = "1", ["Voice:QueueTimeout"] = "00:00:00.050" });
        using var client = api.CreateClient();
        var wav = await VoiceTestAudio.SpeakAsync(client, "remember that my sister is called Alice", "en", Ct);

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => VoiceTestAudio.PostWavAsync(client, wav, Ct)));

        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        var busy = responses.First(r => r.StatusCode == HttpStatusCode.ServiceUnavailable);
        await VoiceApiTests.AssertProblemAsync(busy, HttpStatusCode.ServiceUnavailable, "Voice:MaxConcurrency");
        foreach (var response in responses)
        {
            response.Dispose();
        }

        using var after = await VoiceTestAudio.PostWavAsync(client, wav, Ct);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }
}
