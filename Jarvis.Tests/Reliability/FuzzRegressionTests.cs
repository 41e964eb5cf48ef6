using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Jarvis.Api.Memory;
using Jarvis.Api.Voice;
using Jarvis.Tests.Api.Chat;
using Jarvis.Voice.Audio;
using Polly.CircuitBreaker;

namespace Jarvis.Tests.Reliability;

/// <summary>
/// The bugs the fuzz suite found, one focused test each (the seed that found it in the comment): each was a 500 or a
/// failed turn before its fix. 9 tests.
/// </summary>
public sealed class FuzzRegressionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // WavFuzz, seed wAvT0v0Ice01: a chunk declaring 2 GiB overflowed the reader's int offset (ArgumentOutOfRangeException, a 500).
    [Theory]
    [InlineData(0x8000_0000u)]
    [InlineData(0xFFFF_FFFEu)]
    [InlineData(0x7FFF_FFF8u)]
    public void AChunkClaimingGigabytesIsATruncatedWavNotACrash(uint size)
    {
        var wav = new byte[64];
        "RIFF"u8.CopyTo(wav);
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(4), 56);
        "WAVELIST"u8.CopyTo(wav.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(16), size);

        var error = Assert.Throws<WavFormatException>(() => WavReader.Read(wav));
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    // Seed wAvT0v0Ice01: a form without a boundary (InvalidDataException) or cut before its closing boundary (IOException) was a 500.
    [Theory]
    [InlineData("multipart/form-data", "RIFF")]
    [InlineData("multipart/form-data; boundary=fuzz", "--fuzz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\r\nRIFF")]
    public async Task AVoiceUploadThatIsNotAFormIsA400Problem(string contentType, string body)
    {
        await using var voice = FuzzHosts.Voice();
        using var client = voice.CreateClient();
        using var content = new StringContent(body);
        content.Headers.Remove("Content-Type");
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await client.PostAsync("/api/stt", content, Ct);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Empty(voice.Errors);
    }

    // Seeds 0N0XIzNsQ0O2 and mEm0rY5t0rE1: ASP.NET Core's JSON binding throws for an unknown charset, which was a 500 in every service.
    [Fact]
    public async Task AJsonBodyWithAnUnknownCharsetIsA415ProblemInTheApiAndInMemory()
    {
        await using var api = FuzzHosts.Api();
        await using var memory = FuzzHosts.Memory();
        using var apiClient = api.CreateClient(ApiFactory.Key);
        using var memoryClient = memory.CreateClient();

        using var chat = await apiClient.SendAsync(new FuzzRequest("/api/chat", """{"message":"hi"}"""u8.ToArray(), "application/json; charset=nonsense", null).ToMessage(), Ct);
        using var store = await memoryClient.SendAsync(new FuzzRequest("/api/memories", """{"userId":"a","text":"t"}"""u8.ToArray(), "application/json; charset=\"nonsense\"", null).ToMessage(), Ct);
        using var latin1 = await apiClient.SendAsync(new FuzzRequest("/api/chat", """{"message":"hi"}"""u8.ToArray(), "application/json; charset=iso-8859-1", null).ToMessage(), Ct);

        await AssertProblemAsync(chat, HttpStatusCode.UnsupportedMediaType);
        await AssertProblemAsync(store, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(HttpStatusCode.OK, latin1.StatusCode);
        Assert.Empty(api.Errors);
        Assert.Empty(memory.Errors);
    }

    // Seed 1a2B3c4D5e6F: an empty role threw in ChatRole (a 500); a blank user threw in the memory client (a 500).
    [Fact]
    public async Task OpenAiRequestsWithABlankRoleOrUserAreAnsweredNotCrashed()
    {
        await using var api = FuzzHosts.Api();
        using var client = api.CreateClient(ApiFactory.Key);

        using var blankRole = await client.PostAsJsonAsync("/v1/chat/completions",
            new { messages = new object[] { new { role = "", content = "a" }, new { role = "user", content = "hello" } } }, Ct);
        using var blankUser = await client.PostAsJsonAsync("/v1/chat/completions",
            new { messages = new[] { new { role = "user", content = "hello" } }, user = "   " }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, blankRole.StatusCode);
        var error = (await blankRole.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("messages", error.GetProperty("param").GetString());
        Assert.Equal(HttpStatusCode.OK, blankUser.StatusCode);
        Assert.Empty(api.Errors);
    }

    // Seed w3bS0cKeT001: a blank user_id made the turn fail with internal_error (the memory client refuses a blank user).
    [Fact]
    public async Task AWebSocketMessageWithABlankUserIsTheDefaultUsersTurn()
    {
        await using var api = FuzzHosts.Api();
        var socketClient = api.Factory.Server.CreateWebSocketClient();
        socketClient.ConfigureRequest = request => request.Headers["X-API-Key"] = ApiFactory.Key;
        using var socket = await socketClient.ConnectAsync(new Uri(api.Factory.Server.BaseAddress, "/ws"), Ct);

        await socket.SendAsync(Encoding.UTF8.GetBytes("""{"type":"message","text":"hello","user_id":"   ","conversation_id":" "}"""), WebSocketMessageType.Text, true, Ct);
        JsonElement last;
        do
        {
            var buffer = new byte[64 * 1024];
            var result = await socket.ReceiveAsync(buffer, Ct);
            last = JsonDocument.Parse(buffer.AsMemory(0, result.Count)).RootElement;
        }
        while (last.GetProperty("type").GetString() is "token");

        Assert.Equal("done", last.GetProperty("type").GetString());
        Assert.Equal("default", last.GetProperty("user_id").GetString());
        Assert.False(string.IsNullOrWhiteSpace(last.GetProperty("conversation_id").GetString()));
        Assert.Empty(api.Errors);
    }

    // The Api's health checks of memory and voice let an open circuit through (the health check service logged an error each time).
    [Fact]
    public async Task AnOpenCircuitIsAnUnavailableDependencyToTheLivenessChecks()
    {
        using var broken = new HttpClient(new ThrowingHandler(new BrokenCircuitException("open"))) { BaseAddress = new Uri("http://memory/") };

        await Assert.ThrowsAsync<MemoryUnavailableException>(() => new MemoryClient(broken).CheckAliveAsync(Ct));
        Assert.Contains("cannot be reached", await new VoiceClient(broken).CheckAliveAsync(Ct), StringComparison.Ordinal);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(response.Headers.GetValues(FuzzResponses.RequestIdHeader).Single(), problem.GetProperty("requestId").GetString());
    }

    private sealed class ThrowingHandler(Exception exception) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => Task.FromException<HttpResponseMessage>(exception);
    }
}
