using CsCheck;

namespace Jarvis.Tests.Reliability;

/// <summary>
/// OTLP-like garbage: random bytes, and protobuf-shaped messages (OTLP exports are protobuf) with random field numbers
/// and wire types, nested messages, and lengths that lie, sent with the content types an exporter or a confused client
/// uses.
/// </summary>
public static class GarbageFuzz
{
    private static readonly Gen<byte[]> Field =
        from number in Gen.Int[1, 20]
        from wire in Gen.Frequency<int>((3, Gen.Const(0)), (4, Gen.Const(2)), (1, Gen.Const(1)), (1, Gen.Const(5)), (1, Gen.Int[3, 7]))
        from payload in Gen.Byte.Array[0, 64]
        from lie in Gen.Frequency<int>((8, Gen.Const(0)), (1, Gen.Int[1, 100_000]), (1, Gen.Const(-1)))
        select Encode(number, wire, payload, lie);

    /// <summary>A protobuf-shaped message: fields, some of them a message of fields (like ResourceSpans in an export).</summary>
    public static readonly Gen<byte[]> Protobuf = Gen.Recursive<byte[]>((depth, self) => depth >= 2
        ? Field.Array[1, 8].Select(Concat)
        : Gen.Frequency<byte[]>(
            (2, Field.Array[1, 8].Select(Concat)),
            (1, Gen.Select(Gen.Int[1, 5], self, (number, inner) => Encode(number, 2, inner, 0)).Array[1, 4].Select(Concat))));

    /// <summary>Protobuf-ish or plain random bytes.</summary>
    public static readonly Gen<byte[]> Bytes = Gen.Frequency<byte[]>((3, Protobuf), (2, Gen.Byte.Array[0, 2_048]), (1, Gen.Byte.Array[1, 16]));

    /// <summary>What an OTLP exporter, a gRPC client or a confused script sends.</summary>
    public static readonly Gen<string?> ContentType = Gen.OneOf<string?>(
        "application/x-protobuf", "application/x-protobuf", "application/json", "application/grpc", "application/grpc+proto",
        "application/octet-stream", "application/x-protobuf; charset=utf-8", null);

    private static byte[] Encode(int number, int wire, byte[] payload, int lie)
    {
        List<byte> field = [.. Varint((ulong)((number << 3) | wire))];
        switch (wire)
        {
            case 0:
                field.AddRange(Varint(payload.Aggregate(0UL, (v, b) => (v << 7) ^ b)));
                break;
            case 1:
                field.AddRange(payload.Concat(new byte[8]).Take(8));
                break;
            case 5:
                field.AddRange(payload.Concat(new byte[4]).Take(4));
                break;
            default:
                field.AddRange(Varint(lie == -1 ? ulong.MaxValue : (ulong)(payload.Length + lie)));
                field.AddRange(payload);
                break;
        }

        return [.. field];
    }

    private static IEnumerable<byte> Varint(ulong value)
    {
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            yield return value == 0 ? b : (byte)(b | 0x80);
        }
        while (value != 0);
    }

    private static byte[] Concat(byte[][] parts) => [.. parts.SelectMany(p => p)];
}
