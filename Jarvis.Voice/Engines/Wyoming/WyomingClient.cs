using System.Net.Sockets;

namespace Jarvis.Voice.Engines.Wyoming;

/// <summary>Opens connections to one Wyoming server and asks it what it offers.</summary>
public sealed class WyomingClient(Uri endpoint, TimeSpan? connectTimeout = null, TimeSpan? readTimeout = null)
{
    private WyomingInfo? _info;

    /// <summary>The server, <c>tcp://host:port</c>.</summary>
    public Uri Endpoint { get; } = endpoint;

    /// <summary>The server as messages name it: <c>tcp://host:port</c>.</summary>
    public string Address => Endpoint.GetLeftPart(UriPartial.Authority);

    /// <summary>The last <c>info</c> the server sent; null until <c>DescribeAsync</c> has succeeded.</summary>
    public WyomingInfo? LastInfo => _info;

    /// <summary>How long connecting may take (5 s unless given).</summary>
    public TimeSpan ConnectTimeout { get; } = connectTimeout ?? TimeSpan.FromSeconds(5);

    /// <summary>How long the server may stay silent when an event is due (60 s unless given: transcribing takes a while).</summary>
    public TimeSpan ReadTimeout { get; } = readTimeout ?? TimeSpan.FromSeconds(60);

    /// <summary>Opens a connection; the caller disposes it.</summary>
    public Task<WyomingConnection> ConnectAsync(CancellationToken cancellationToken) =>
        WyomingConnection.ConnectAsync(Endpoint, ConnectTimeout, ReadTimeout, cancellationToken);

    /// <summary>Sends <c>describe</c> on a new connection and reads the <c>info</c> answer.</summary>
    public async Task<WyomingInfo> DescribeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken);
        return await DescribeAsync(connection, cancellationToken);
    }

    /// <summary>Sends <c>describe</c> on <paramref name="connection"/> and reads the <c>info</c> answer.</summary>
    public async Task<WyomingInfo> DescribeAsync(WyomingConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await connection.WriteAsync(new WyomingEvent("describe"), cancellationToken);
        var answer = await connection.ReadAsync(cancellationToken);
        if (answer?.Type != "info")
        {
            throw new WyomingProtocolException($"The Wyoming server at {Address} answered describe with {answer?.Type ?? "nothing"} instead of info.");
        }

        _info = WyomingInfo.Parse(answer.Data);
        return _info;
    }

    /// <summary>
    /// Connects and describes within <paramref name="timeout"/>: null with the info when the server answers, otherwise a
    /// one-line reason naming the endpoint.
    /// </summary>
    public async Task<(WyomingInfo? Info, string? Problem)> ProbeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        linked.CancelAfter(timeout);
        try
        {
            return (await DescribeAsync(linked.Token), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"The Wyoming server at {Address} did not answer describe within {timeout.TotalSeconds:0.#} s.");
        }
        catch (Exception e) when (e is SocketException or IOException or TimeoutException or WyomingProtocolException)
        {
            return (null, $"The Wyoming server at {Address} is unreachable: {e.Message}");
        }
    }
}
