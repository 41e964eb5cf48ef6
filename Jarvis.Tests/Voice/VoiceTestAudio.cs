using System.Net.Http.Headers;
using System.Net.Http.Json;
using Jarvis.Voice.Audio;
using Jarvis.Voice.Engines;

namespace Jarvis.Tests.Voice;

/// <summary>Helpers: speak through the API, post WAV bodies, make test tones.</summary>
internal static class VoiceTestAudio
{
    public static async Task<byte[]> SpeakAsync(HttpClient client, string text, string language, CancellationToken cancellationToken)
    {
        using var response = await client.PostAsJsonAsync("/api/tts", new { text, language }, cancellationToken);
        response.EnsureSuccessStatusCode();
        Assert.Equal("audio/wav", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    public static Task<HttpResponseMessage> PostWavAsync(HttpClient client, byte[] wav, CancellationToken cancellationToken, string contentType = "audio/wav")
    {
        var content = new ByteArrayContent(wav);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return client.PostAsync("/api/stt", content, cancellationToken);
    }

    /// <summary>A 440 Hz tone of <paramref name="seconds"/> in <paramref name="format"/>.</summary>
    public static byte[] Tone(AudioFormat format, double seconds)
    {
        var frames = (int)(format.SampleRate * seconds);
        var samples = new byte[frames * format.SampleWidth * format.Channels];
        for (var f = 0; f < frames; f++)
        {
            var value = Math.Sin(2 * Math.PI * 440 * f / format.SampleRate) * 0.5;
            for (var c = 0; c < format.Channels; c++)
            {
                var offset = ((f * format.Channels) + c) * format.SampleWidth;
                var scaled = (long)(value * Math.Pow(2, (8 * format.SampleWidth) - 1));
                if (format.SampleWidth == 1)
                {
                    samples[offset] = (byte)(scaled + 128);
                    continue;
                }

                for (var b = 0; b < format.SampleWidth; b++)
                {
                    samples[offset + b] = (byte)(scaled >> (8 * b));
                }
            }
        }

        return WavWriter.Write(new PcmAudio(format, samples));
    }
}
