using System.Globalization;
using System.Text;
using CsCheck;

namespace Jarvis.Tests.Reliability;

/// <summary>
/// Generators of JSON request bodies: a valid body's fields kept, replaced by any JSON value (wrong types, huge and
/// invalid numbers, deep nesting, control characters, lone surrogates), dropped or repeated, and then, for some
/// bodies, the bytes mutated (truncated, invalid UTF-8, a byte-order mark, garbage).
/// </summary>
public static class JsonFuzz
{
    private static readonly char[] s_oddChars =
        ['\0', '\u0001', '\u001f', '\u007f', '"', '\\', '/', '\n', '\r', '\t', '\u2028', '\u202e', '\u200b', '\ufeff', '\ufffd', '\ud800', '\udfff', '€', '字', 'é', '{', '}', '[', ']', ':', ','];

    /// <summary>Strings a field might hold: words, any characters, odd characters, empty, blank, and very long.</summary>
    public static readonly Gen<string> Text = Gen.Frequency<string>(
        (6, Gen.OneOf("hello", "what time is it", "remember that I like tea", "weather in Paris", "play hangman", "turn on the kitchen light", "forget everything")),
        (3, Gen.String[0, 40]),
        (3, Gen.OneOf(s_oddChars).Array[1, 12].Select(c => new string(c))),
        (1, Gen.Const("")),
        (1, Gen.Const("   ")),
        (1, Gen.Int[1_000, 40_000].Select(n => new string('x', n))));

    /// <summary>Ids: mostly plausible, sometimes any text.</summary>
    public static readonly Gen<string> Id = Gen.Frequency<string>(
        (8, Gen.OneOf("alice", "bob", "default", "u-1", "c1", "conv-42")),
        (2, Text));

    /// <summary>Number tokens, including ones no parser should take or that overflow every type.</summary>
    public static readonly Gen<string> Number = Gen.Frequency<string>(
        (3, Gen.OneOf("0", "-0", "1", "-1", "0.5", "1e400", "-1e400", "1.7976931348623157e309", "99999999999999999999999999", "2147483648",
            "-9223372036854775809", "1E+2", "1e-400", "01", "1.", ".5", "NaN", "Infinity", "-Infinity", "0x10", "+1")),
        (1, Gen.Long.Select(v => v.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.Double.Where(double.IsFinite).Select(v => v.ToString("R", CultureInfo.InvariantCulture))));

    /// <summary>Any JSON scalar, and some invalid tokens.</summary>
    public static readonly Gen<string> Scalar = Gen.Frequency<string>(
        (2, Gen.OneOf("null", "true", "false")),
        (2, Number),
        (4, Text.Select(Quote)),
        (1, Gen.OneOf("\"\\x\"", "\"\\u12\"", "\"unterminated", "'single'", "undefined", "True", "nul")));

    /// <summary>Nesting far past any reader's depth limit, balanced or not.</summary>
    public static readonly Gen<string> Deep = Gen.Select(Gen.Int[1, 3_000], Gen.Bool, Gen.Bool, (depth, arrays, balanced) =>
        arrays
            ? new string('[', depth) + (balanced ? new string(']', depth) : "")
            : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + (balanced ? new string('}', depth) : ""));

    /// <summary>Any JSON value (a few levels of arrays and objects), or a deep one.</summary>
    public static readonly Gen<string> Value = Gen.Recursive<string>((depth, self) => depth >= 3
        ? Scalar
        : Gen.Frequency<string>(
            (8, Scalar),
            (1, self.Array[0, 4].Select(items => "[" + string.Join(",", items) + "]")),
            (1, Gen.Select(Text.Select(Quote), self).Array[0, 4].Select(members => "{" + string.Join(",", members.Select(m => m.Item1 + ":" + m.Item2)) + "}")),
            (1, Deep)));

    /// <summary>A JSON string literal of <paramref name="text"/>; controls, quotes, backslashes and surrogates escaped.</summary>
    public static string Quote(string text)
    {
        var json = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                json.Append('\\').Append(c);
            }
            else if (c < ' ' || char.IsSurrogate(c))
            {
                json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                json.Append(c);
            }
        }

        return json.Append('"').ToString();
    }

    /// <summary>A string field: valid text quoted.</summary>
    public static Gen<string> Str(Gen<string> text) => text.Select(Quote);

    /// <summary>A JSON array of the values of <paramref name="item"/>.</summary>
    public static Gen<string> ArrayOf(Gen<string> item, int min, int max) => item.Array[min, max].Select(items => "[" + string.Join(",", items) + "]");

    /// <summary>
    /// An object with these fields, each kept valid (most often), given any value, dropped, repeated or renamed in
    /// capitals, and now and then an unknown field.
    /// </summary>
    public static Gen<string> ObjectOf(params (string Name, Gen<string> Valid)[] fields)
    {
        var members = Gen.Const(Array.Empty<string>());
        foreach (var (name, valid) in fields)
        {
            var member = Gen.Frequency<string>(
                (40, valid.Select(v => $"\"{name}\":{v}")),
                (4, Value.Select(v => $"\"{name}\":{v}")),
                (2, Gen.Const("")),
                (1, Gen.Select(valid, Value, (v, w) => $"\"{name}\":{v},\"{name}\":{w}")),
                (1, valid.Select(v => $"\"{name.ToUpperInvariant()}\":{v}")));
            members = Gen.Select(members, member, (list, m) => m.Length == 0 ? list : [.. list, m]);
        }

        var extra = Gen.Frequency<string[]>((6, Gen.Const(Array.Empty<string>())), (1, Gen.Select(Text.Select(Quote), Value, (k, v) => k + ":" + v).Array[1, 3]));
        return Gen.Select(members, extra, (m, e) => "{" + string.Join(",", m.Concat(e)) + "}");
    }

    /// <summary>
    /// The body as bytes: mostly the generated text, otherwise another JSON value, nothing at all, or the text with
    /// its bytes mutated.
    /// </summary>
    public static Gen<byte[]> Body(Gen<string> valid) => Gen.Frequency<byte[]>(
        (30, valid.Select(Encoding.UTF8.GetBytes)),
        (2, Value.Select(Encoding.UTF8.GetBytes)),
        (1, Gen.Const(Array.Empty<byte>())),
        (5, Gen.Select(valid, Gen.Int[0, 10], Gen.Double.Unit, Gen.Byte, (text, kind, at, b) => Mutate(Encoding.UTF8.GetBytes(text), kind, at, b))));

    /// <summary>Content types: JSON most often, with charsets, other types, none, and unparsable ones.</summary>
    public static readonly Gen<string?> ContentType = Gen.Frequency<string?>(
        (20, Gen.Const<string?>("application/json")),
        (2, Gen.OneOf<string?>("application/json; charset=utf-8", "APPLICATION/JSON", "application/problem+json", "application/merge-patch+json")),
        (1, Gen.OneOf<string?>("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/x-protobuf",
            "application/json; charset=utf-16", "application/json; charset=nonsense", "application/*", ";;;", "json", null)));

    private static byte[] Mutate(byte[] body, int kind, double at, byte b)
    {
        var i = (int)(at * body.Length);
        return kind switch
        {
            0 => body[..i],                                          // truncated
            1 => [.. body[..i], b, .. body[i..]],                    // a byte inserted
            2 when body.Length > 0 => [.. body[..i], b, .. body[Math.Min(i + 1, body.Length)..]], // a byte replaced
            3 => [.. body[..i], 0xC3, 0x28, .. body[i..]],           // an invalid two-byte sequence
            4 => [.. body[..i], 0xFF, 0xFE, 0xFD, .. body[i..]],     // bytes UTF-8 never has
            5 => [.. body[..i], 0xC0, 0xAF, .. body[i..]],           // an overlong '/'
            6 => [.. body[..i], 0xED, 0xA0, 0x80, .. body[i..]],     // an encoded surrogate
            7 => [0xEF, 0xBB, 0xBF, .. body],                        // a byte-order mark
            8 => [.. body[..i], 0x00, .. body[i..]],                 // a NUL
            9 => [.. body, .. "}garbage{"u8],                        // trailing garbage
            _ => [.. body, .. body],                                 // twice
        };
    }
}
