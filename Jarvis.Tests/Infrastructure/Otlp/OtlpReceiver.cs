using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Jarvis.Tests.Infrastructure.Otlp;

/// <summary>
/// A test OTLP collector on two free loopback ports: OTLP/HTTP with protobuf bodies on <see cref="HttpEndpoint"/>
/// (OtlpReceiver.Http.cs) and OTLP/gRPC over cleartext HTTP/2 on <see cref="GrpcEndpoint"/> (OtlpReceiver.Grpc.cs),
/// since Kestrel only speaks HTTP/2 without TLS on an HTTP/2-only endpoint. It keeps every export that carries the
/// <c>x-otlp-api-key</c> header with its key (OtlpReceiver.Export.cs), in memory and in arrival order.
/// </summary>
public sealed partial class OtlpReceiver : IAsyncDisposable
{
    public const string DefaultApiKey = "test-key";
    private const string ApiKeyHeader = "x-otlp-api-key";

    // gRPC status codes, which OTLP/gRPC answers with and OTLP/HTTP's google.rpc.Status bodies carry.
    private const int InvalidArgument = 3;
    private const int Unimplemented = 12;
    private const int Unauthenticated = 16;

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<OtlpSpan> _spans = new();
    private readonly ConcurrentQueue<OtlpLog> _logs = new();
    private readonly ConcurrentQueue<OtlpMetric> _metrics = new();
    private readonly ConcurrentQueue<byte[]> _bodies = new();
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> _resources = new();

    private OtlpReceiver(WebApplication app, string apiKey)
    {
        _app = app;
        ApiKey = apiKey;
    }

    public string ApiKey { get; }

    /// <summary>The OTLP/HTTP base address, such as <c>http://127.0.0.1:40123/</c>; exporters append <c>/v1/traces</c> and so on.</summary>
    public Uri HttpEndpoint { get; private set; } = null!;

    /// <summary>The OTLP/gRPC address (HTTP/2 with prior knowledge).</summary>
    public Uri GrpcEndpoint { get; private set; } = null!;

    public IReadOnlyCollection<OtlpSpan> Spans => _spans;

    public IReadOnlyCollection<OtlpLog> Logs => _logs;

    /// <summary>
    /// Every export's protobuf as received (after gzip), in arrival order: strings are stored in it as UTF-8 bytes, so a
    /// search of these finds a value wherever it was (attributes, events, status, bodies, resources).
    /// </summary>
    public IReadOnlyCollection<byte[]> Bodies => _bodies;

    /// <summary>Every metric of every export, one entry per instrument per export.</summary>
    public IReadOnlyCollection<OtlpMetric> Metrics => _metrics;

    public static async Task<OtlpReceiver> StartAsync(CancellationToken cancellationToken, string apiKey = DefaultApiKey)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "Jarvis.Tests.OtlpReceiver" });
        builder.Logging.ClearProviders();
        ListenOptions http = null!, grpc = null!;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                http = listen;
            });
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                grpc = listen;
            });
        });
        var app = builder.Build();
        var receiver = new OtlpReceiver(app, apiKey);
        receiver.MapHttp(app);
        receiver.MapGrpc(app);

        await app.StartAsync(cancellationToken);

        // Kestrel replaces each endpoint with the one it bound, so the ports are the real ones.
        receiver.HttpEndpoint = new Uri($"http://127.0.0.1:{http.IPEndPoint!.Port}/");
        receiver.GrpcEndpoint = new Uri($"http://127.0.0.1:{grpc.IPEndPoint!.Port}/");
        return receiver;
    }

    /// <summary>The attributes of the last resource seen with this <c>service.name</c>; empty when there was none.</summary>
    public IReadOnlyDictionary<string, string> ResourceAttributes(string serviceName) =>
        _resources.GetValueOrDefault(serviceName) ?? new Dictionary<string, string>();

    /// <summary>A service's instruments, each with the data points of every export and its last unit and type.</summary>
    public IReadOnlyList<OtlpMetric> Instruments(string serviceName) =>
    [
        .. _metrics.Where(m => m.Resource == serviceName).GroupBy(m => (m.Meter, m.Name)).Select(g =>
            g.Last() with { Points = [.. g.SelectMany(m => m.Points)] }),
    ];

    /// <summary>One instrument of a service's meter, with the data points of every export; null until it has been exported.</summary>
    public OtlpMetric? Instrument(string serviceName, string meterName, string instrumentName) =>
        Instruments(serviceName).FirstOrDefault(i => i.Meter == meterName && i.Name == instrumentName);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private bool HasApiKey(HttpRequest request) => request.Headers[ApiKeyHeader] == ApiKey;
}
