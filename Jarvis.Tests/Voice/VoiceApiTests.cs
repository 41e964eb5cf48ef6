using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Jarvis.Voice.Audio;
using Jarvis.Voice.Engines;
using Jarvis.Voice.Model;

namespace Jarvis.Tests.Voice;

/// <summary>The voice API on the machine's local engines: French speech, format conversion, voices and bad input.</summary>
public sealed class VoiceApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FrenchSpeechFromEspeakNgIsAStreamingWavOf16BitMono()
    {
        await using var api = new VoiceApiFactory();
        using var client = api.CreateClient();

        var wav = await VoiceTestAudio.SpeakAsync(client, "Bonjour, quel temps fait-il à Paris ?", "fr", Ct);

        Assert.Equal(0xFFFFFFFF, BitConverter.ToUInt32(wav, 40));
        var audio = WavReader.Read(wav);
        Assert.Equal(new AudioFormat(22_050, 2, 1), audio.Format);
        Assert.InRange(audio.Duration.TotalSeconds, 0.5, 10);
    }

    [Fact]
    public async Task VoicesListFliteSltForEnglishAndEspeakNgForFrench()
    {
        await using var api = new VoiceApiFactory();
        using var client = api.CreateClient();

        var voices = await client.GetFromJsonAsync<VoicesResponse>("/api/voices", Ct);

        Assert.NotNull(voices);
        Assert.Contains(voices.TextToSpeech, e => e.Engine == "flite" && e.Voices.Any(v => v.Name == "slt" && v.Languages.Contains("en")));
        Assert.Contains(voices.TextToSpeech, e => e.Engine == "espeak-ng" && e.Voices.Any(v => v.Languages.Contains("fr")));
        Assert.Contains(voices.SpeechToText, e => e.Engine == "pocketsphinx" && e.Languages.Contains("en"));
    }

    [Fact]
    public async Task StereoTwentyFourBitAt44KHzIsConvertedFor16KHzRecognition()
    {
        var tone = VoiceTestAudio.Tone(new AudioFormat(44_100, 3, 2), 1);

        var converted = PcmConverter.Convert(WavReader.Read(tone), AudioFormat.Speech16K);

        Assert.Equal(AudioFormat.Speech16K, converted.Format);
        Assert.InRange(converted.Duration.TotalSeconds, 0.99, 1.01);
        var peak = Enumerable.Range(0, converted.Samples.Length / 2).Max(i => Math.Abs((int)BitConverter.ToInt16(converted.Samples.Span[(i * 2)..])));
        Assert.InRange(peak, 15_000, 17_000);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData(null, "2001 characters")]
    public async Task TextThatIsEmptyOrOver2000CharactersIs400(string? text, string reason)
    {
        await using var api = new VoiceApiFactory();
        using var client = api.CreateClient();

        using var response = await client.PostAsJsonAsync("/api/tts", new { text = text ?? new string('a', 2001) }, Ct);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, reason);
    }

    [Fact]
    public async Task ARateOutside025To4Is400AndARateInsideSpeaks()
    {
        await using var api = new VoiceApiFactory();
        using var client = api.CreateClient();

        using var zero = await client.PostAsJsonAsync("/api/tts", new { text = "hello", rate = 0.0 }, Ct);
        using var fast = await client.PostAsJsonAsync("/api/tts", new { text = "hello", rate = 1.5 }, Ct);

        await AssertProblemAsync(zero, HttpStatusCode.BadRequest, "between 0.25 and 4");
        Assert.Equal(HttpStatusCode.OK, fast.StatusCode);
        Assert.True(WavReader.Read(await fast.Content.ReadAsByteArrayAsync(Ct)).Duration > TimeSpan.Zero);
    }

    [Fact]
    public async Task ANonWavBodyIs400()
    {
        await using var api = new VoiceApiFactory();
        using var client = api.CreateClient();

        using var response = await VoiceTestAudio.PostWavAsync(client, "this is not audio at all"u8.ToArray(), Ct);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "not a WAV file");
    }

    [Fact]
    public async Task ATruncatedWavIs400()
    {
        await using var api = new VoiceApiFactory();
        using var client = api.CreateClient();
        var wav = VoiceTestAudio.Tone(AudioFormat.Speech16K, 1);

        using var response = await VoiceTestAudio.PostWavAsync(client, wav[..(wav.Length / 2)], Ct, "audio/x-wav");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "truncated");
    }

    [Fact]
    public async Task AWrongContentTypeIs415()
    {
        await using var api = new VoiceApiFactory();
        using var client = api.CreateClient();

        using var response = await VoiceTestAudio.PostWavAsync(client, VoiceTestAudio.Tone(AudioFormat.Speech16K, 1), Ct, "text/plain");

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "text/plain");
    }

    [Fact]
    public async Task AudioOverTheConfiguredLimitsIs413()
    {
        await using var api = new VoiceApiFactory(new Dictionary<string, string> { ["Voice:MaxAudioBytes"] = "50000", ["Voice:MaxAudioSeconds"] = "1" });
        using var client = api.CreateClient();

        using var tooBig = await VoiceTestAudio.PostWavAsync(client, VoiceTestAudio.Tone(AudioFormat.Speech16K, 2), Ct);
        using var tooLong = await VoiceTestAudio.PostWavAsync(client, VoiceTestAudio.Tone(new AudioFormat(8_000, 1, 1), 2), Ct, "audio/wave");

        await AssertProblemAsync(tooBig, HttpStatusCode.RequestEntityTooLarge, "Voice:MaxAudioBytes");
        await AssertProblemAsync(tooLong, HttpStatusCode.RequestEntityTooLarge, "Voice:MaxAudioSeconds");
    }

    [Fact]
    public async Task AMultipartUploadIsTranscribedFromItsFirstFile()
    {
        await using var api = new VoiceApiFactory();
        using var client = api.CreateClient();
        var wav = await VoiceTestAudio.SpeakAsync(client, "turn on the kitchen light", "en", Ct);
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(wav);
        file.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        form.Add(file, "audio", "speech.wav");

        using var response = await client.PostAsync("/api/stt", form, Ct);

        response.EnsureSuccessStatusCode();
        var transcript = await response.Content.ReadFromJsonAsync<TranscriptionResponse>(Ct);
        Assert.Contains("kitchen", transcript?.Text, StringComparison.Ordinal);
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Contains(reason, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(problem.RootElement.TryGetProperty("requestId", out _), "problem details carry the request id");
    }
}
