using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Jarvis.Tests.Voice.Wyoming;

/// <summary>An event as the test server saw it on the wire.</summary>
public sealed record ReceivedEvent(string Type, JsonObject Data, byte[] Payload);

/// <summary>
/// A scriptable Wyoming server on loopback that frames events exactly as the spec says, written independently of the
/// client: a header line (type, version, data_length, payload_length), then the data as separate JSON, then the payload.
/// </summary>
public sealed class WyomingTestServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public WyomingTestServer()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The info event's data.</summary>
    public JsonObject Info { get; set; } = WyomingTestInfo.Create(transcriptStreaming: false, synthesizeStreaming: false);

    /// <summary>The transcript text; with <see cref="TranscriptChunks"/>, the streamed chunks come first.</summary>
    public string Transcript { get; set; } = "hello world";

    public IReadOnlyList<string>? TranscriptChunks { get; set; }

    /// <summary>Audio chunks sent per audio-start…audio-stop run, and their format.</summary>
    public IReadOnlyList<byte[]> AudioChunks { get; set; } = [[1, 0, 2, 0], [3, 0, 4, 0], [5, 0]];

    public (int Rate, int Width, int Channels) AudioFormat { get; set; } = (22_050, 2, 1);

    /// <summary>When set, the answer to describe is these raw bytes, after which the server hangs up.</summary>
    public byte[]? RawDescribeAnswer { get; set; }

    public ConcurrentQueue<ReceivedEvent> Received { get; } = new();

    public Uri Endpoint => new($"tcp://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var session = new WyomingTestSession(this, (type, data, payload) => WriteAsync(stream, type, data, payload));
        try
        {
            while (await ReadAsync(stream) is { } received)
            {
                Received.Enqueue(received);
                if (received.Type == "describe" && RawDescribeAnswer is { } raw)
                {
                    // Then hang up, so a truncated answer is seen as one.
                    await stream.WriteAsync(raw, _stop.Token);
                    return;
                }

                await session.HandleAsync(received);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away.
        }
    }

    private async Task<ReceivedEvent?> ReadAsync(NetworkStream stream)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0)
            {
                return null;
            }

            if (one[0] == '\n')
            {
                break;
            }

            line.Add(one[0]);
        }

        var header = JsonNode.Parse(Encoding.UTF8.GetString([.. line]))!.AsObject();
        var data = header["data"]?.AsObject().DeepClone().AsObject() ?? [];
        if (header["data_length"]?.GetValue<int>() is > 0 and var dataLength)
        {
            var extra = new byte[dataLength];
            await stream.ReadExactlyAsync(extra, _stop.Token);
            foreach (var (name, value) in JsonNode.Parse(extra)!.AsObject())
            {
                data[name] = value?.DeepClone();
            }
        }

        var payload = new byte[header["payload_length"]?.GetValue<int>() ?? 0];
        await stream.ReadExactlyAsync(payload, _stop.Token);
        return new ReceivedEvent(header["type"]!.GetValue<string>(), data, payload);
    }

    private async Task WriteAsync(NetworkStream stream, string type, JsonObject? data, byte[]? payload)
    {
        var dataBytes = data is null ? [] : Encoding.UTF8.GetBytes(data.ToJsonString());
        var header = new JsonObject { ["type"] = type, ["version"] = "1.5.2" };
        if (dataBytes.Length > 0)
        {
            header["data_length"] = dataBytes.Length;
        }

        if (payload is { Length: > 0 })
        {
            header["payload_length"] = payload.Length;
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(header.ToJsonString() + "\n"), _stop.Token);
        await stream.WriteAsync(dataBytes, _stop.Token);
        await stream.WriteAsync(payload ?? [], _stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
