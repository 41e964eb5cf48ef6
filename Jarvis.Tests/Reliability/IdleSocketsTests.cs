using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using Jarvis.Tests.Api.Chat;

namespace Jarvis.Tests.Reliability;

/// <summary>
/// 1,000 WebSockets open at once and idle on the real Jarvis.Api (a child process): every one is served (a ping gets
/// its pong) before and after the idle time, and the Api's resident memory grows by no more than 60 MB for all of them.
/// </summary>
[Collection(ReliabilityTestGroup.Name)]
public sealed class IdleSocketsTests
{
    private const int Sockets = 1000;
    private const double BudgetMegabytes = 60;

    private static readonly byte[] s_ping = Encoding.UTF8.GetBytes("""{"type":"ping"}""");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AThousandIdleSocketsAreServedWithinTheMemoryBudget()
    {
        await using var ollama = await ReliabilityRun.StartOllamaAsync(Ct);
        await using var api = await ReliabilityRun.StartApiAsync(new Uri("http://127.0.0.1:1"), ollama, Ct);
        var endpoint = new Uri($"ws://{api.BaseAddress.Authority}/ws");

        // Warm up the paths the sockets take (upgrade, session, ping) and a few turns, so the baseline holds their code.
        using (var traffic = new ChatTraffic(api.BaseAddress))
        {
            using var warmUp = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await traffic.RunAsync(new TrafficMix(Rest: 2, WebSocket: 2), warmUp.Token, Ct);
        }

        var warm = await OpenAsync(endpoint, 50);
        await CloseAsync(warm);
        var before = await RssSampler.MedianAsync(api.Pid, 10, TimeSpan.FromMilliseconds(200), Ct);

        var sockets = await OpenAsync(endpoint, Sockets);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(3), Ct);
            var during = await RssSampler.MedianAsync(api.Pid, 10, TimeSpan.FromMilliseconds(200), Ct);
            var answered = await PingAllAsync(sockets);
            var extra = during - before;

            ReliabilityRun.Report("1,000 idle WebSockets", [
                string.Create(CultureInfo.InvariantCulture, $"Api RSS {ReliabilityRun.Megabytes(before)} before, {ReliabilityRun.Megabytes(during)} with {Sockets} sockets open: +{ReliabilityRun.Megabytes(extra)} ({extra / Sockets / 1024:F1} KB a socket; goal ≤ {BudgetMegabytes} MB)"),
                $"sockets that answered a ping after 3 s idle: {answered} of {Sockets}",
            ]);

            Assert.Equal(Sockets, answered);
            Assert.True(extra <= BudgetMegabytes * 1024 * 1024, $"{Sockets} idle sockets cost {ReliabilityRun.Megabytes(extra)}, over {BudgetMegabytes} MB");
        }
        finally
        {
            await CloseAsync(sockets);
        }

        Assert.Empty(ReliabilityRun.Crashes(api));
    }

    /// <summary>Opens <paramref name="count"/> sockets, 50 at a time, each answering a first ping.</summary>
    private static async Task<List<ClientWebSocket>> OpenAsync(Uri endpoint, int count)
    {
        var sockets = new List<ClientWebSocket>(count);
        foreach (var batch in Enumerable.Range(0, count).Chunk(50))
        {
            var opened = await Task.WhenAll(batch.Select(async _ =>
            {
                var socket = new ClientWebSocket();
                socket.Options.SetRequestHeader("X-API-Key", ApiFactory.Key);
                socket.Options.KeepAliveInterval = TimeSpan.Zero;
                await socket.ConnectAsync(endpoint, Ct);
                Assert.True(await PingAsync(socket), "a new socket answers a ping");
                return socket;
            }));
            sockets.AddRange(opened);
        }

        return sockets;
    }

    private static async Task<int> PingAllAsync(List<ClientWebSocket> sockets)
    {
        var answered = 0;
        foreach (var batch in sockets.Chunk(100))
        {
            answered += (await Task.WhenAll(batch.Select(PingAsync))).Count(ok => ok);
        }

        return answered;
    }

    private static async Task<bool> PingAsync(ClientWebSocket socket)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await socket.SendAsync(s_ping, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        var buffer = new byte[1024];
        var result = await socket.ReceiveAsync(buffer, timeout.Token);
        return result.MessageType == WebSocketMessageType.Text && Encoding.UTF8.GetString(buffer, 0, result.Count).Contains("\"pong\"", StringComparison.Ordinal);
    }

    private static async Task CloseAsync(List<ClientWebSocket> sockets)
    {
        foreach (var batch in sockets.Chunk(100))
        {
            await Task.WhenAll(batch.Select(async socket =>
            {
                if (socket.State == WebSocketState.Open)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Ct);
                }

                socket.Dispose();
            }));
        }
    }
}
