using System.Buffers.Binary;

namespace Jarvis.Voice.Engines.Wyoming;

/// <summary>Converts PCM audio to what Wyoming speech-to-text servers expect: 16 kHz, 16-bit, mono.</summary>
public static class WyomingAudioConverter
{
    /// <summary>
    /// Downmixes to mono (the mean of the channels) and resamples linearly to <paramref name="targetRate"/>, as 16-bit
    /// little-endian samples. Input samples may be 8-bit (unsigned), 16-bit or 32-bit (signed).
    /// </summary>
    public static byte[] ToMono16Bit(PcmAudio audio, int targetRate)
    {
        ArgumentNullException.ThrowIfNull(audio);
        var format = audio.Format;
        if (format.SampleWidth is not (1 or 2 or 4) || format.Channels < 1 || format.SampleRate < 1)
        {
            throw new ArgumentException($"Unsupported PCM format: {format.SampleRate} Hz, {format.SampleWidth} bytes, {format.Channels} channels.", nameof(audio));
        }

        var mono = Downmix(audio.Samples.Span, format);
        var outputLength = (int)((long)mono.Length * targetRate / format.SampleRate);
        var output = new byte[outputLength * 2];
        var step = (double)format.SampleRate / targetRate;
        for (var i = 0; i < outputLength; i++)
        {
            var position = i * step;
            var left = (int)position;
            var right = Math.Min(left + 1, mono.Length - 1);
            var value = mono[left] + ((mono[right] - mono[left]) * (position - left));
            BinaryPrimitives.WriteInt16LittleEndian(output.AsSpan(i * 2), (short)Math.Clamp(Math.Round(value), short.MinValue, short.MaxValue));
        }

        return output;
    }

    // Mono samples scaled to the 16-bit range.
    private static double[] Downmix(ReadOnlySpan<byte> samples, AudioFormat format)
    {
        var frameSize = format.SampleWidth * format.Channels;
        var frames = new double[samples.Length / frameSize];
        for (var f = 0; f < frames.Length; f++)
        {
            double sum = 0;
            for (var c = 0; c < format.Channels; c++)
            {
                var sample = samples.Slice((f * frameSize) + (c * format.SampleWidth), format.SampleWidth);
                sum += format.SampleWidth switch
                {
                    1 => (sample[0] - 128) * 256.0,
                    2 => BinaryPrimitives.ReadInt16LittleEndian(sample),
                    _ => BinaryPrimitives.ReadInt32LittleEndian(sample) / 65536.0,
                };
            }

            frames[f] = sum / format.Channels;
        }

        return frames;
    }
}
