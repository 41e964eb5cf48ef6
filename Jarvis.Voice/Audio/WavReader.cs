using System.Buffers.Binary;
using Jarvis.Voice.Engines;

namespace Jarvis.Voice.Audio;

/// <summary>Reads a RIFF/WAVE file of integer PCM (8, 16, 24 or 32-bit, any rate and channel count).</summary>
public static class WavReader
{
    private const ushort FormatPcm = 1;
    private const ushort FormatExtensible = 0xFFFE;

    /// <summary>Parses <paramref name="wav"/>; throws <see cref="WavFormatException"/> saying what is wrong.</summary>
    public static PcmAudio Read(ReadOnlyMemory<byte> wav)
    {
        var span = wav.Span;
        if (span.Length < 12 || !span[..4].SequenceEqual("RIFF"u8) || !span[8..12].SequenceEqual("WAVE"u8))
        {
            throw new WavFormatException("The body is not a WAV file (no RIFF/WAVE header).");
        }

        AudioFormat? format = null;
        var offset = 12;
        while (offset + 8 <= span.Length)
        {
            var id = span.Slice(offset, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(span.Slice(offset + 4, 4));
            var body = offset + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16 || body + 16 > span.Length)
                {
                    throw new WavFormatException("The WAV file is truncated: its fmt chunk is incomplete.");
                }

                format = ReadFormat(span.Slice(body, (int)Math.Min(size, (uint)(span.Length - body))));
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (format is null)
                {
                    throw new WavFormatException("The WAV file has no fmt chunk before its data.");
                }

                // Streaming writers leave the size at 0xFFFFFFFF (or 0): the data runs to the end of the file.
                var available = span.Length - body;
                long length = size is uint.MaxValue or 0 ? available : size;
                if (length > available)
                {
                    throw new WavFormatException($"The WAV file is truncated: its data chunk declares {size} bytes but {available} follow.");
                }

                var frame = format.SampleWidth * format.Channels;
                var whole = (int)(length - length % frame);
                return new PcmAudio(format, wav.Slice(body, whole));
            }

            // A chunk that claims to run past the end leaves no room for another (in long arithmetic: a size near 4 GiB
            // would overflow an int offset).
            var next = body + (long)size + (size & 1);
            if (next > span.Length)
            {
                break;
            }

            offset = (int)next;
        }

        throw new WavFormatException(format is null ? "The WAV file is truncated: it has no fmt chunk." : "The WAV file is truncated: it has no data chunk.");
    }

    /// <summary>
    /// Reads the canonical 44-byte header an engine writes before streaming its samples (flite, espeak-ng), whatever
    /// sizes it declares, and returns the format; the stream is then at the first sample.
    /// </summary>
    public static async Task<AudioFormat> ReadStreamingHeaderAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = new byte[44];
        await stream.ReadExactlyAsync(header, cancellationToken);
        if (!header.AsSpan(0, 4).SequenceEqual("RIFF"u8) || !header.AsSpan(12, 4).SequenceEqual("fmt "u8) || !header.AsSpan(36, 4).SequenceEqual("data"u8))
        {
            throw new WavFormatException("The engine did not write a canonical WAV header.");
        }

        return ReadFormat(header.AsSpan(20, 16));
    }

    private static AudioFormat ReadFormat(ReadOnlySpan<byte> fmt)
    {
        var tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        var rate = BinaryPrimitives.ReadInt32LittleEndian(fmt[4..]);
        var bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
        if (tag == FormatExtensible && fmt.Length >= 26)
        {
            // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID.
            tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]);
        }

        if (tag != FormatPcm)
        {
            throw new WavFormatException($"The WAV file is not integer PCM (format tag {tag}).");
        }

        if (bits is not (8 or 16 or 24 or 32))
        {
            throw new WavFormatException($"The WAV file has {bits}-bit samples; 8, 16, 24 or 32-bit are accepted.");
        }

        if (channels is < 1 or > 16 || rate is < 1000 or > 384_000)
        {
            throw new WavFormatException($"The WAV file declares {channels} channels at {rate} Hz, which is not plausible audio.");
        }

        return new AudioFormat(rate, bits / 8, channels);
    }
}
