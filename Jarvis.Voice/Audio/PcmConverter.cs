using System.Buffers.Binary;
using Jarvis.Voice.Engines;

namespace Jarvis.Voice.Audio;

/// <summary>Converts PCM to 16-bit mono at a target rate: downmix by averaging, resample by linear interpolation.</summary>
public static class PcmConverter
{
    /// <summary>Returns <paramref name="audio"/> in <paramref name="target"/> (which must be 16-bit mono).</summary>
    public static PcmAudio Convert(PcmAudio audio, AudioFormat target)
    {
        ArgumentNullException.ThrowIfNull(audio);
        ArgumentNullException.ThrowIfNull(target);
        if (audio.Format == target)
        {
            return audio;
        }

        var mono = Downmix(audio);
        var ratio = (double)audio.Format.SampleRate / target.SampleRate;
        var count = (int)(mono.Length / ratio);
        var output = new byte[count * 2];
        for (var i = 0; i < count; i++)
        {
            var position = i * ratio;
            var index = (int)position;
            var next = Math.Min(index + 1, mono.Length - 1);
            var value = mono[index] + ((mono[next] - mono[index]) * (position - index));
            BinaryPrimitives.WriteInt16LittleEndian(output.AsSpan(i * 2), (short)Math.Clamp(Math.Round(value * 32768), short.MinValue, short.MaxValue));
        }

        return new PcmAudio(target, output);
    }

    private static float[] Downmix(PcmAudio audio)
    {
        var (width, channels) = (audio.Format.SampleWidth, audio.Format.Channels);
        var samples = audio.Samples.Span;
        var frames = samples.Length / (width * channels);
        var mono = new float[frames];
        for (var f = 0; f < frames; f++)
        {
            double sum = 0;
            for (var c = 0; c < channels; c++)
            {
                sum += Sample(samples.Slice(((f * channels) + c) * width, width));
            }

            mono[f] = (float)(sum / channels);
        }

        return mono;
    }

    // 8-bit WAV is unsigned; wider samples are signed little-endian. All scale to [-1, 1).
    private static double Sample(ReadOnlySpan<byte> s) => s.Length switch
    {
        1 => (s[0] - 128) / 128.0,
        2 => BinaryPrimitives.ReadInt16LittleEndian(s) / 32768.0,
        3 => ((s[2] << 24) | (s[1] << 16) | (s[0] << 8)) / 2147483648.0,
        _ => BinaryPrimitives.ReadInt32LittleEndian(s) / 2147483648.0,
    };
}
