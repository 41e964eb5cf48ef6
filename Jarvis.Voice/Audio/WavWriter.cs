using System.Buffers.Binary;
using Jarvis.Voice.Engines;

namespace Jarvis.Voice.Audio;

/// <summary>Writes WAV headers for PCM.</summary>
public static class WavWriter
{
    /// <summary>
    /// A 44-byte header for <paramref name="format"/>. With no <paramref name="dataLength"/> the RIFF and data sizes are
    /// 0xFFFFFFFF, as streaming writers do when the length is not known yet.
    /// </summary>
    public static byte[] Header(AudioFormat format, uint? dataLength = null)
    {
        ArgumentNullException.ThrowIfNull(format);
        var header = new byte[44];
        var span = header.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], dataLength is { } n ? n + 36 : uint.MaxValue);
        "WAVEfmt "u8.CopyTo(span[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(span[20..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], (ushort)format.Channels);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], format.SampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], format.BytesPerSecond);
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], (ushort)(format.SampleWidth * format.Channels));
        BinaryPrimitives.WriteUInt16LittleEndian(span[34..], (ushort)(format.SampleWidth * 8));
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[40..], dataLength ?? uint.MaxValue);
        return header;
    }

    /// <summary>A whole WAV file of <paramref name="audio"/>.</summary>
    public static byte[] Write(PcmAudio audio)
    {
        ArgumentNullException.ThrowIfNull(audio);
        var header = Header(audio.Format, (uint)audio.Samples.Length);
        var wav = new byte[header.Length + audio.Samples.Length];
        header.CopyTo(wav, 0);
        audio.Samples.Span.CopyTo(wav.AsSpan(header.Length));
        return wav;
    }
}
