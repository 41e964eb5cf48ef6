using CsCheck;
using Jarvis.Tests.Api.Chat;

namespace Jarvis.Tests.Reliability;

/// <summary>
/// Property-based fuzzing with fixed CsCheck seeds (the same inputs on every run; a failure names the seed that
/// regenerates its input): 11,100 generated inputs in all, over REST bodies (4,500 to the Api, 2,100 to Memory), WAV
/// headers (2,000), WebSocket frames (1,500) and OTLP-like garbage (1,000). The figures reached: 0 crashes, 0 5xx
/// other than the documented "voice unavailable" 503s, every error problem details (OpenAI's error object on /v1)
/// carrying the request id of the response's X-Request-ID, every WebSocket frame answered by the protocol (an error
/// event, or the 1009 close of an oversized message) on a connection that stays up, and no Error log record (an
/// unhandled exception logs one). Each test also checks that its inputs reached both the accepting and the refusing
/// paths, so it cannot pass by sending only what every route refuses.
/// </summary>
public sealed class FuzzTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>4,500 bodies: 1,500 each to POST /api/chat, /v1/chat/completions and /api/client-events.</summary>
    [Fact]
    public async Task ApiJsonBodiesGetAnAnswerOrAProblemNeverA5xx()
    {
        await using var api = FuzzHosts.Api();
        using var client = api.CreateClient(ApiFactory.Key);
        FuzzRoute chat = new("/api/chat", ErrorStyle.Problem, [200, 400, 413, 415]);
        FuzzRoute completions = new("/v1/chat/completions", ErrorStyle.OpenAi, [200, 400, 413]);
        FuzzRoute events = new("/api/client-events", ErrorStyle.Problem, [202, 400, 413]);

        await SendAsync(api, client, FuzzRequests.Json(chat.Path, FuzzRequests.Chat), "0N0XIzNsQ0O2", 1_500, _ => chat);
        await SendAsync(api, client, FuzzRequests.Json(completions.Path, FuzzRequests.Completion), "1a2B3c4D5e6F", 1_500, _ => completions);
        await SendAsync(api, client, FuzzRequests.Json(events.Path, FuzzRequests.ClientEvents), "zZ9yY8xX7wW6", 1_500, _ => events);

        AssertBothPaths(chat, completions, events);
        Assert.Empty(api.Errors);
    }

    /// <summary>2,100 bodies: 700 each to Memory's POST /api/memories, /api/memories/search and /api/conversations/{id}/turns.</summary>
    [Fact]
    public async Task MemoryJsonBodiesGetAnAnswerOrAProblemNeverA5xx()
    {
        await using var memory = FuzzHosts.Memory();
        using var client = memory.CreateClient();
        FuzzRoute store = new("/api/memories", ErrorStyle.Problem, [200, 201, 400, 415]);
        FuzzRoute search = new("/api/memories/search", ErrorStyle.Problem, [200, 400, 415]);
        FuzzRoute turns = new("/api/conversations/{id}/turns", ErrorStyle.Problem, [201, 400, 404, 415]);
        var appends = Gen.Select(FuzzRequests.PathId, FuzzRequests.Json("", FuzzRequests.AppendTurn),
            (id, request) => request with { Path = $"/api/conversations/{id}/turns" });

        await SendAsync(memory, client, FuzzRequests.Json(store.Path, FuzzRequests.StoreMemory), "mEm0rY5t0rE1", 700, _ => store);
        await SendAsync(memory, client, FuzzRequests.Json(search.Path, FuzzRequests.SearchMemories), "s3aRcH0000x1", 700, _ => search);
        await SendAsync(memory, client, appends, "tUrN5abcdef1", 700, _ => turns);

        AssertBothPaths(store, search, turns);
        Assert.Empty(memory.Errors);
    }

    /// <summary>
    /// 2,000 WAVs with mutated RIFF headers: 1,000 to the Api's POST /api/voice, 1,000 to Jarvis.Voice's POST /api/stt.
    /// A WAV that passes the header checks is sent on to transcription, and with no recogniser (the Api's Voice is down;
    /// Voice has no pocketsphinx here) the answer is the documented 503: "Voice unavailable" from the Api, "Voice engine
    /// unavailable" from Voice. Those are deliberate answers with problem details; any other 5xx fails.
    /// </summary>
    [Fact]
    public async Task WavHeadersGetAProblemNeverAnUnhandled5xx()
    {
        await using var api = FuzzHosts.Api();
        await using var voice = FuzzHosts.Voice();
        using var apiClient = api.CreateClient(ApiFactory.Key);
        using var voiceClient = voice.CreateClient();
        FuzzRoute turn = new("/api/voice", ErrorStyle.Problem, [400, 413, 415], Unavailable: "Voice unavailable");
        FuzzRoute stt = new("/api/stt", ErrorStyle.Problem, [400, 413, 415], Unavailable: "Voice engine unavailable");

        await SendAsync(api, apiClient, FuzzRequests.Wav(turn.Path), "wAvT0ApI0001", 1_000, _ => turn);
        await SendAsync(voice, voiceClient, FuzzRequests.Wav(stt.Path), "wAvT0v0Ice01", 1_000, _ => stt);

        foreach (var route in new[] { turn, stt })
        {
            Assert.True(route.Count(s => s == 503) >= 50, $"valid headers reached transcription: {route}");
            Assert.True(route.Count(s => s is 400 or 413) >= 50, $"broken headers were refused: {route}");
        }

        Assert.True(api.Errors.Count == 0, string.Join("\n", api.Errors));
        Assert.True(voice.Errors.Count == 0, string.Join("\n", voice.Errors));
    }

    /// <summary>
    /// 1,000 OTLP-like bodies (protobuf-shaped messages and random bytes, as application/x-protobuf, application/json,
    /// application/grpc…): 600 to the Api's JSON and WAV routes and to OTLP's own paths (which the Api does not serve),
    /// 400 to Memory's. Every answer is a 4xx problem (an OpenAI error on /v1/chat/completions).
    /// </summary>
    [Fact]
    public async Task OtlpLikeGarbageGetsA4xxProblem()
    {
        await using var api = FuzzHosts.Api();
        await using var memory = FuzzHosts.Memory();
        using var apiClient = api.CreateClient(ApiFactory.Key);
        using var memoryClient = memory.CreateClient();
        Dictionary<string, FuzzRoute> apiRoutes = new()
        {
            ["/api/chat"] = new("/api/chat", ErrorStyle.Problem, [400, 415]),
            ["/v1/chat/completions"] = new("/v1/chat/completions", ErrorStyle.OpenAi, [400]),
            ["/api/client-events"] = new("/api/client-events", ErrorStyle.Problem, [400]),
            ["/api/voice"] = new("/api/voice", ErrorStyle.Problem, [400, 415]),
            ["/v1/traces"] = new("/v1/traces", ErrorStyle.Problem, [404]),
            ["/v1/logs"] = new("/v1/logs", ErrorStyle.Problem, [404]),
        };
        Dictionary<string, FuzzRoute> memoryRoutes = new()
        {
            ["/api/memories"] = new("/api/memories", ErrorStyle.Problem, [400, 415]),
            ["/api/memories/search"] = new("/api/memories/search", ErrorStyle.Problem, [400, 415]),
            ["/api/conversations/c1/turns"] = new("/api/conversations/c1/turns", ErrorStyle.Problem, [400, 415]),
            ["/v1/metrics"] = new("/v1/metrics", ErrorStyle.Problem, [404]),
        };

        await SendAsync(api, apiClient, FuzzRequests.Garbage([.. apiRoutes.Keys]), "gArBaGe0Api1", 600, r => apiRoutes[r.Path]);
        await SendAsync(memory, memoryClient, FuzzRequests.Garbage([.. memoryRoutes.Keys]), "gArBaGe0Mem1", 400, r => memoryRoutes[r.Path]);

        Assert.All(apiRoutes.Values.Concat(memoryRoutes.Values), route => Assert.False(route.Tally.IsEmpty, $"{route.Path} was sent garbage"));
        Assert.Empty(api.Errors);
        Assert.Empty(memory.Errors);
    }

    /// <summary>
    /// 1,500 frames to /ws over three connections: mutated client messages (text, some split into fragments), WAVs and
    /// random bytes as binary frames, and now and then a text message over the 64 KB cap. Each frame is followed by a
    /// ping: every server message before the pong must be a documented event, a frame that is not JSON must get an
    /// error event, and only an oversized message may close the connection (with 1009, then the test reconnects).
    /// </summary>
    [Fact]
    public async Task WebSocketFramesGetTheProtocolsAnswerAndTheConnectionStays()
    {
        await using var api = FuzzHosts.Api();
        var frames = FuzzInputs.Draw(FuzzSocket.Frame, "w3bS0cKeT001", 1_500);

        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(part =>
            FuzzSocket.RunAsync(api.Factory, [.. frames.Where(f => f.Index % 3 == part)], Ct)));

        var failures = results.SelectMany(r => r.Failures).ToList();
        Assert.True(failures.Count == 0, FuzzInputs.Describe(failures, frames.Count));
        Assert.Equal(frames.Count, results.Sum(r => r.Sent));
        var (errors, replies, tooBig) = (results.Sum(r => r.Errors), results.Sum(r => r.Replies), results.Sum(r => r.TooBig));
        Assert.True(errors >= 100 && replies >= 50 && tooBig >= 1,
            $"frames were refused with error events ({errors}), valid messages answered with done ({replies}), oversized ones closed with 1009 ({tooBig}); codes: "
            + string.Join(", ", results.SelectMany(r => r.Codes).GroupBy(c => c.Key).Select(g => $"{g.Key} {g.Sum(c => c.Value)}")));
        Assert.Empty(api.Errors);
    }

    private static async Task SendAsync<T>(FuzzHost<T> host, HttpClient client, Gen<FuzzRequest> gen, string seed, int count, Func<FuzzRequest, FuzzRoute> routeOf)
        where T : class
    {
        var inputs = FuzzInputs.Draw(gen, seed, count);
        var failures = await FuzzInputs.RunAsync(inputs, async (request, ct) =>
        {
            using var message = request.ToMessage();
            using var response = await client.SendAsync(message, ct);
            return await FuzzResponses.CheckAsync(response, routeOf(request), ct) is { } problem ? $"{problem}\n    for {request}" : null;
        }, Ct);

        Assert.True(failures.Count == 0, FuzzInputs.Describe(failures, count) + "\nThe service logged:\n" + string.Join("\n", host.Errors.Take(3)));
    }

    // A twentieth of the inputs at least were accepted, and a twentieth refused.
    private static void AssertBothPaths(params FuzzRoute[] routes)
    {
        foreach (var route in routes)
        {
            var total = route.Count(_ => true);
            Assert.True(route.Count(s => s < 300) * 20 >= total, $"inputs were accepted: {route}");
            Assert.True(route.Count(s => s >= 400) * 20 >= total, $"inputs were refused: {route}");
        }
    }
}
