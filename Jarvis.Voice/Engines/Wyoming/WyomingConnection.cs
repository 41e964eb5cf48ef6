using System.Buffers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Jarvis.Voice.Engines.Wyoming;

/// <summary>
/// A TCP connection carrying Wyoming events: a JSON header line (<c>type</c>, <c>data</c>, <c>data_length</c>,
/// <c>payload_length</c>) ended by <c>\n</c>, then <c>data_length</c> bytes of JSON merged over <c>data</c>, then
/// <c>payload_length</c> bytes of payload.
/// </summary>
public sealed class WyomingConnection : IAsyncDisposable
{
    // A header is a small JSON object; a longer line means the peer is not speaking Wyoming.
    private const int MaxHeaderLength = 1 << 20;

    private readonly TcpClient _client;
    private readonly Stream _stream;
    private readonly TimeSpan _readTimeout;

    private WyomingConnection(TcpClient client, TimeSpan readTimeout)
    {
        _client = client;
        _stream = client.GetStream();
        _readTimeout = readTimeout;
    }

    /// <summary>Connects to <paramref name="endpoint"/> (<c>tcp://host:port</c>) within <paramref name="connectTimeout"/>.</summary>
    public static async Task<WyomingConnection> ConnectAsync(Uri endpoint, TimeSpan connectTimeout, TimeSpan readTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var client = new TcpClient { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(connectTimeout);
            await client.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token);
            return new WyomingConnection(client, readTimeout);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            throw new TimeoutException($"No connection to {endpoint} within {connectTimeout.TotalSeconds:0.#} s.");
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Writes one event: the header line with <c>data</c> inline, then the payload.</summary>
    public async Task WriteAsync(WyomingEvent wyomingEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wyomingEvent);
        var header = new JsonObject { ["type"] = wyomingEvent.Type };
        if (wyomingEvent.Data is not null)
        {
            header["data"] = wyomingEvent.Data.DeepClone();
        }

        if (!wyomingEvent.Payload.IsEmpty)
        {
            header["payload_length"] = wyomingEvent.Payload.Length;
        }

        await _stream.WriteAsync(Encoding.UTF8.GetBytes(header.ToJsonString() + "\n"), cancellationToken);
        if (!wyomingEvent.Payload.IsEmpty)
        {
            await _stream.WriteAsync(wyomingEvent.Payload, cancellationToken);
        }

        await _stream.FlushAsync(cancellationToken);
    }

    /// <summary>Reads the next event; null when the server closed the connection between events.</summary>
    public async Task<WyomingEvent?> ReadAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_readTimeout);
        try
        {
            return await ReadEventAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The Wyoming server sent nothing for {_readTimeout.TotalSeconds:0.#} s.");
        }
    }

    private async Task<WyomingEvent?> ReadEventAsync(CancellationToken cancellationToken)
    {
        var line = await ReadHeaderLineAsync(cancellationToken);
        if (line is null)
        {
            return null;
        }

        var header = WyomingHeader.Parse(line);
        var data = header.DataLength > 0
            ? header.MergeAdditionalData(await ReadExactlyAsync(header.DataLength, cancellationToken))
            : header.Data;
        var payload = header.PayloadLength > 0 ? await ReadExactlyAsync(header.PayloadLength, cancellationToken) : [];
        return new WyomingEvent(header.Type, data, payload);
    }

    private async Task<string?> ReadHeaderLineAsync(CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var one = new byte[1];
        while (true)
        {
            // Byte by byte so nothing after the newline (data, payload) is consumed.
            if (await _stream.ReadAsync(one, cancellationToken) == 0)
            {
                return buffer.WrittenCount == 0
                    ? null
                    : throw new WyomingProtocolException("The Wyoming server closed the connection in the middle of a header.");
            }

            if (one[0] == (byte)'\n')
            {
                return Encoding.UTF8.GetString(buffer.WrittenSpan);
            }

            if (buffer.WrittenCount >= MaxHeaderLength)
            {
                throw new WyomingProtocolException($"The Wyoming header is longer than {MaxHeaderLength} bytes.");
            }

            buffer.Write(one);
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int length, CancellationToken cancellationToken)
    {
        var bytes = new byte[length];
        try
        {
            await _stream.ReadExactlyAsync(bytes, cancellationToken);
        }
        catch (EndOfStreamException e)
        {
            throw new WyomingProtocolException($"The Wyoming server closed the connection before the {length} bytes its header announced.", e);
        }

        return bytes;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _client.Dispose();
    }
}
