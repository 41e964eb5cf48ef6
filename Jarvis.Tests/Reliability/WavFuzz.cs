using System.Buffers.Binary;
using System.Text;
using CsCheck;

namespace Jarvis.Tests.Reliability;

/// <summary>
/// Generators of WAV files with mutated RIFF headers: the magic, the sizes (consistent, zero, 0xFFFFFFFF, past the end,
/// random), the format tag, channels, rate, byte rate, block align and bits, extensible formats, extra chunks with huge
/// or odd sizes, chunks out of order or missing, and files cut anywhere.
/// </summary>
public static class WavFuzz
{
    /// <summary>A marker for "the size this field should have".</summary>
    private const long Consistent = -1;

    private static Gen<byte[]> Magic(string valid, params string[] others) =>
        Gen.Frequency<string>((9, Gen.Const(valid)), (1, Gen.OneOf(others))).Select(Encoding.ASCII.GetBytes);

    private static readonly Gen<long> ChunkSize = Gen.Frequency<long>(
        (6, Gen.Const(Consistent)),
        (2, Gen.OneOf(0L, 1L, 15L, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFEL, 0xFFFF_FFFFL)),
        (1, Gen.UInt.Select(v => (long)v)));

    private static readonly Gen<byte[]> Format =
        from id in Magic("fmt ", "fmt\0", "FMT ", "fmt")
        from size in Gen.Frequency<long>((6, Gen.Const(16L)), (1, Gen.OneOf(18L, 40L)), (2, ChunkSize))
        from tag in Gen.Frequency<ushort>((6, Gen.Const((ushort)1)), (1, Gen.OneOf((ushort)3, (ushort)0xFFFE, (ushort)0)), (1, Gen.UShort))
        from channels in Gen.Frequency<ushort>((6, Gen.Const((ushort)1)), (1, Gen.Const((ushort)2)), (1, Gen.OneOf((ushort)0, (ushort)16, (ushort)17, ushort.MaxValue)), (1, Gen.UShort))
        from rate in Gen.Frequency<int>((6, Gen.Const(16_000)), (2, Gen.OneOf(8_000, 44_100, 999, 1_000, 384_000, 384_001, 0, -1, int.MaxValue, int.MinValue)), (1, Gen.Int))
        from bits in Gen.Frequency<ushort>((6, Gen.Const((ushort)16)), (2, Gen.OneOf((ushort)0, (ushort)1, (ushort)8, (ushort)12, (ushort)24, (ushort)32, (ushort)64)), (1, Gen.UShort))
        from byteRate in Gen.Frequency<long>((6, Gen.Const(Consistent)), (1, Gen.OneOf(0L, 1L, -1L, int.MaxValue)), (1, Gen.Int.Select(v => (long)v)))
        from blockAlign in Gen.Frequency<int>((6, Gen.Const(-1)), (1, Gen.UShort.Select(v => (int)v)))
        from subFormat in Gen.Frequency<ushort>((3, Gen.Const((ushort)1)), (1, Gen.UShort))
        select FormatChunk(id, size, tag, channels, rate, bits, byteRate, blockAlign, subFormat);

    private static readonly Gen<byte[]> Extra = Gen.Frequency<byte[]>(
        (7, Gen.Const(Array.Empty<byte>())),
        (2, Gen.Select(Magic("LIST", "junk", "fact", "\0\0\0\0"), ChunkSize, Gen.Byte.Array[0, 24], Chunk)));

    private static readonly Gen<byte[]> Data =
        from id in Magic("data", "DATA", "dat")
        from size in Gen.Frequency<long>((5, Gen.Const(Consistent)), (2, ChunkSize), (1, Gen.Int[1, 100_000].Select(n => (long)n)))
        from samples in Gen.Frequency<byte[]>((1, Gen.Const(Array.Empty<byte>())), (1, Gen.Byte.Array[1, 7]), (6, Gen.Byte.Array[8, 3_200]))
        select Chunk(id, size, samples);

    /// <summary>A whole file: header, chunks in some order (or some missing), maybe cut short.</summary>
    public static readonly Gen<byte[]> Wav =
        from riff in Magic("RIFF", "RIFX", "riff", "RIF", "\0\0\0\0")
        from riffSize in ChunkSize
        from wave in Magic("WAVE", "WAVX", "AVI ", "wave")
        from format in Format
        from extra in Extra
        from data in Data
        from order in Gen.Frequency<int>((8, Gen.Const(0)), (1, Gen.Int[1, 4]))
        from cut in Gen.Frequency<double>((5, Gen.Const(1.0)), (1, Gen.Double.Unit))
        select Cut(File(riff, riffSize, wave, order switch
        {
            0 => [format, extra, data],
            1 => [data, format],
            2 => [extra, data],
            3 => [format, extra],
            _ => [format, format, data, data],
        }), cut);

    private static byte[] FormatChunk(byte[] id, long size, ushort tag, ushort channels, int rate, ushort bits, long byteRate, int blockAlign, ushort subFormat)
    {
        var fmt = new byte[40];
        BinaryPrimitives.WriteUInt16LittleEndian(fmt, tag);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(2), channels);
        BinaryPrimitives.WriteInt32LittleEndian(fmt.AsSpan(4), rate);
        var align = blockAlign >= 0 ? blockAlign : channels * bits / 8;
        BinaryPrimitives.WriteInt32LittleEndian(fmt.AsSpan(8), byteRate == Consistent ? unchecked(rate * align) : (int)byteRate);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(12), (ushort)align);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(14), bits);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(16), 22);    // cbSize of WAVE_FORMAT_EXTENSIBLE
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(18), bits);  // valid bits
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(24), subFormat);
        // The body written is what the size says, up to the 40 bytes there are (a size past them lies about the file).
        var written = size == Consistent ? 16 : (int)Math.Min(size, 40);
        return Chunk(id, size == Consistent ? 16 : size, fmt[..written]);
    }

    private static byte[] Chunk(byte[] id, long size, byte[] body)
    {
        var chunk = new byte[id.Length + 4 + body.Length];
        id.CopyTo(chunk, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(id.Length), (uint)(size == Consistent ? body.Length : size));
        body.CopyTo(chunk, id.Length + 4);
        return chunk;
    }

    private static byte[] File(byte[] riff, long riffSize, byte[] wave, byte[][] chunks)
    {
        byte[] rest = [.. wave, .. chunks.SelectMany(c => c)];
        return Chunk(riff, riffSize, rest);
    }

    private static byte[] Cut(byte[] wav, double at) => at >= 1 ? wav : wav[..(int)(wav.Length * at)];
}
