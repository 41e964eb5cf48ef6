using System.Text;
using CsCheck;

namespace Jarvis.Tests.Reliability;

/// <summary>A generated POST: its body, its content type (none when null) and an incoming request id (none when null).</summary>
public sealed record FuzzRequest(string Path, byte[] Body, string? ContentType, string? RequestId)
{
    public HttpRequestMessage ToMessage()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new ByteArrayContent(Body) };
        if (ContentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        }

        if (RequestId is not null)
        {
            request.Headers.TryAddWithoutValidation(FuzzResponses.RequestIdHeader, RequestId);
        }

        return request;
    }

    public override string ToString() =>
        $"POST {Path} ({ContentType ?? "no content type"}, {Body.Length} bytes: {Encoding.UTF8.GetString(Body.AsSpan(0, Math.Min(Body.Length, 200)))})";
}

/// <summary>The bodies of the routes the fuzz tests send to, from the valid shapes in docs/web-api.md and the contracts.</summary>
public static class FuzzRequests
{
    /// <summary>No request id (a new one is made), a safe one (kept), or one the service must replace.</summary>
    public static readonly Gen<string?> RequestId = Gen.Frequency<string?>(
        (6, Gen.Const((string?)null)),
        (3, Gen.Int[0, 1_000_000].Select(i => (string?)$"fuzz-{i}")),
        (1, Gen.OneOf<string?>("has space", new string('a', 200), "ünïcode", "a\tb", "", "../../etc")));

    private static readonly Gen<string> Message = JsonFuzz.Str(JsonFuzz.Text);
    private static readonly Gen<string> Id = JsonFuzz.Str(JsonFuzz.Id);
    private static readonly Gen<string> Tag = JsonFuzz.Str(Gen.Frequency<string>((8, Gen.OneOf("home", "work", "food", "music")), (1, JsonFuzz.Text)));

    /// <summary><c>POST /api/chat</c>: <c>{message, conversationId?, userId?}</c>.</summary>
    public static readonly Gen<string> Chat = JsonFuzz.ObjectOf(("message", Message), ("conversationId", Id), ("userId", Id));

    /// <summary><c>POST /v1/chat/completions</c>: <c>{model, messages: [{role, content}], stream, user}</c>.</summary>
    public static readonly Gen<string> Completion = JsonFuzz.ObjectOf(
        ("model", JsonFuzz.Str(Gen.OneOf("jarvis", "gpt-4o"))),
        ("messages", JsonFuzz.ArrayOf(JsonFuzz.ObjectOf(
            ("role", JsonFuzz.Str(Gen.Frequency<string>((8, Gen.Const("user")), (4, Gen.OneOf("assistant", "system", "tool")), (1, Gen.OneOf("", " ", "USER", "developer")), (1, JsonFuzz.Text)))),
            ("content", Message)), 1, 4)),
        ("stream", Gen.Frequency<string>((6, Gen.Const("false")), (1, Gen.Const("true")))),
        ("user", Id));

    /// <summary><c>POST /api/client-events</c>: <c>{events: [{kind, name, message?, stack?, url?, valueMs?, requestId?}]}</c>.</summary>
    public static readonly Gen<string> ClientEvents = JsonFuzz.ObjectOf(("events", JsonFuzz.ArrayOf(JsonFuzz.ObjectOf(
        ("kind", JsonFuzz.Str(Gen.Frequency<string>((8, Gen.OneOf("error", "timing")), (1, JsonFuzz.Text)))),
        ("name", JsonFuzz.Str(Gen.Frequency<string>((6, Gen.OneOf("load", "first_token", "TypeError")), (1, JsonFuzz.Text)))),
        ("message", Message),
        ("stack", JsonFuzz.Str(Gen.Frequency<string>((6, Gen.Const("TypeError: x is undefined\n    at send (app.js:10:5)")), (1, JsonFuzz.Text)))),
        ("url", JsonFuzz.Str(Gen.Frequency<string>((6, Gen.Const("http://localhost:5080/")), (1, JsonFuzz.Text)))),
        ("valueMs", Gen.Frequency<string>((6, Gen.Int[0, 3_600_000].Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))), (1, JsonFuzz.Number))),
        ("requestId", Id)), 1, 3)));

    /// <summary>Memory's <c>POST /api/memories</c>: <c>{userId, text, kind?, importance?, tags?}</c>.</summary>
    public static readonly Gen<string> StoreMemory = JsonFuzz.ObjectOf(
        ("userId", Id),
        ("text", Message),
        ("kind", JsonFuzz.Str(Gen.Frequency<string>((6, Gen.OneOf("fact", "preference", "episode")), (1, Gen.OneOf("Fact", "1", "fact,episode")), (1, JsonFuzz.Text)))),
        ("importance", Gen.Frequency<string>((4, Gen.OneOf("0", "0.5", "1")), (1, JsonFuzz.Number))),
        ("tags", JsonFuzz.ArrayOf(Tag, 0, 5)));

    /// <summary>Memory's <c>POST /api/memories/search</c>: <c>{userId, query, limit?, minScore?, tags?}</c>.</summary>
    public static readonly Gen<string> SearchMemories = JsonFuzz.ObjectOf(
        ("userId", Id),
        ("query", Message),
        ("limit", Gen.Frequency<string>((4, Gen.OneOf("1", "5", "100")), (1, Gen.OneOf("0", "101", "-1")), (1, JsonFuzz.Number))),
        ("minScore", Gen.Frequency<string>((4, Gen.OneOf("0", "0.2", "1")), (1, JsonFuzz.Number))),
        ("tags", JsonFuzz.ArrayOf(Tag, 0, 5)));

    /// <summary>Memory's <c>POST /api/conversations/{id}/turns</c>: <c>{userId, role, text}</c>.</summary>
    public static readonly Gen<string> AppendTurn = JsonFuzz.ObjectOf(
        ("userId", Id),
        ("role", JsonFuzz.Str(Gen.Frequency<string>((6, Gen.OneOf("user", "assistant", "system", "tool")), (1, Gen.OneOf("bot", "", "USER")), (1, JsonFuzz.Text)))),
        ("text", Message));

    /// <summary>
    /// A conversation id for a path: plausible, or any text percent-encoded byte by byte (control characters, empty,
    /// long). Not %00: Kestrel answers a path with a NUL 400 itself, and the test server cannot carry one.
    /// </summary>
    public static readonly Gen<string> PathId = Gen.Frequency<string>(
        (8, Gen.OneOf("c1", "conv-42", "openai-x")),
        (2, JsonFuzz.Text.Select(text => string.Concat(Encoding.UTF8.GetBytes(text).Where(b => b != 0).Select(b => $"%{b:X2}")))));

    /// <summary>JSON requests to <paramref name="path"/> with bodies from <paramref name="body"/>.</summary>
    public static Gen<FuzzRequest> Json(string path, Gen<string> body) =>
        Gen.Select(JsonFuzz.Body(body), JsonFuzz.ContentType, RequestId, (b, type, id) => new FuzzRequest(path, b, type, id));

    /// <summary>Garbage to one of <paramref name="paths"/>.</summary>
    public static Gen<FuzzRequest> Garbage(params string[] paths) =>
        Gen.Select(Gen.OneOf(paths), GarbageFuzz.Bytes, GarbageFuzz.ContentType, RequestId, (path, b, type, id) => new FuzzRequest(path, b, type, id));

    /// <summary>WAV uploads to <paramref name="path"/>, mostly as <c>audio/wav</c>.</summary>
    public static Gen<FuzzRequest> Wav(string path) => Gen.Select(WavFuzz.Wav, Gen.Frequency<string?>(
            (8, Gen.Const<string?>("audio/wav")),
            (1, Gen.OneOf<string?>("audio/x-wav", "audio/wave", "AUDIO/WAV; rate=16000")),
            (1, Gen.OneOf<string?>("application/octet-stream", "multipart/form-data", "multipart/form-data; boundary=fuzz", "text/plain", null))),
        RequestId, (wav, type, id) => new FuzzRequest(path, wav, type, id));
}
