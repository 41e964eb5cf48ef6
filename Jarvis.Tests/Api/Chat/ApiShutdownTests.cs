using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Jarvis.Tests.Infrastructure;
using Jarvis.Tests.Infrastructure.Ollama;

namespace Jarvis.Tests.Api.Chat;

/// <summary>
/// The drain sequence of the real Jarvis.Api process on SIGTERM: readiness turns, new turns get 503, every socket gets
/// <c>shutdown</c>, in-flight replies (REST and WebSocket) finish, then sockets close with 1001 and the process exits 0.
/// </summary>
public sealed class ApiShutdownTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SigtermDrainsInFlightRepliesTellsSocketsAndExitsZero()
    {
        // Both in-flight replies wait in the LLM until the test has looked at the service while it drains.
        await using var ollama = await FakeOllamaServer.StartAsync(["llama3.2:1b"], Ct);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = new FakeChatReply { HoldFirstTokenUntil = release.Task };
        ollama.Enqueue(slow);
        ollama.Enqueue(slow);
        await using var api = ServiceProcess.Start("Jarvis.Api", "Production", new Dictionary<string, string>
        {
            ["Jarvis__ApiKey"] = ApiFactory.Key,
            ["Jarvis__MemoryUrl"] = "http://127.0.0.1:1",
            ["Jarvis__VoiceUrl"] = "http://127.0.0.1:1",
            ["ConnectionStrings__ollama"] = $"Endpoint={ollama.BaseAddress};Model=llama3.2:1b",
        });
        await api.WaitUntilHealthyAsync(Ct);
        using var client = api.CreateClient();
        client.DefaultRequestHeaders.Add("X-API-Key", ApiFactory.Key);
        client.Timeout = TimeSpan.FromSeconds(30);

        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-API-Key", ApiFactory.Key);
        await socket.ConnectAsync(new Uri($"ws://{api.BaseAddress.Authority}/ws"), Ct);
        await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(new { type = "message", text = "sky?" }), WebSocketMessageType.Text, true, Ct);
        var socketEvents = ReadUntilClosedAsync(socket);

        using var streaming = new HttpRequestMessage(HttpMethod.Post, "/api/chat") { Content = JsonContent.Create(new { message = "sky?" }) };
        streaming.Headers.Accept.ParseAdd("text/event-stream");
        var restReply = client.SendAsync(streaming, Ct).ContinueWith(t => t.Result.Content.ReadAsStringAsync(Ct), Ct, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        await Eventually.TrueAsync(() => Task.FromResult(ollama.ChatRequests.Count == 2), "both turns to reach the LLM", Ct, TimeSpan.FromSeconds(10));

        var exit = api.TerminateAsync(Ct);
        await Eventually.TrueAsync(async () => (await client.GetAsync("/health", Ct)).StatusCode == HttpStatusCode.ServiceUnavailable, "readiness to turn", Ct, TimeSpan.FromSeconds(5));
        var refused = await client.PostAsJsonAsync("/api/chat", new { message = "hello" }, Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.False(exit.IsCompleted);
        release.SetResult();
        var rest = await restReply;
        Assert.Contains("event: done", rest, StringComparison.Ordinal);
        Assert.Contains("The sky is blue.", rest, StringComparison.Ordinal);
        var (events, closeStatus) = await socketEvents;
        Assert.Equal("shutdown", events[0]);
        Assert.Equal("done", events[^1]);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, closeStatus);
        Assert.True(await exit == 0, $"The Api exited with {api.ExitCode}:\n{string.Join('\n', api.Output)}");
        Assert.DoesNotContain(api.Output, line => line.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase)
                                                  || line.Contains("UnobservedTaskException", StringComparison.Ordinal));
    }

    /// <summary>The types of the events the socket received, in order, and how it was closed.</summary>
    private static async Task<(List<string> Events, WebSocketCloseStatus? CloseStatus)> ReadUntilClosedAsync(ClientWebSocket socket)
    {
        var events = new List<string>();
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, Ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                // Answer the close as a browser does, completing the handshake.
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, Ct);
                return (events, result.CloseStatus);
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                using var json = JsonDocument.Parse(Encoding.UTF8.GetString(message.ToArray()));
                events.Add(json.RootElement.GetProperty("type").GetString()!);
                message.SetLength(0);
            }
        }
    }
}
