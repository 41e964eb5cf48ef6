using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using Jarvis.Tests.Infrastructure.Otlp.Collector;
using Jarvis.Tests.Infrastructure.Otlp.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jarvis.Tests.Infrastructure.Otlp;

/// <summary>
/// A real OTLP receiver on loopback: OTLP/HTTP with protobuf bodies on one port (POST /v1/traces, /v1/logs,
/// /v1/metrics) and OTLP/gRPC on another (HTTP/2, length-prefixed messages, grpc-status trailer).
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly ConcurrentQueue<ReceivedLog> _logs = new();
    private readonly ConcurrentQueue<ReceivedMetric> _metrics = new();
    private readonly ConcurrentQueue<ReceivedExport> _exports = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    public Uri HttpEndpoint { get; private set; } = null!;

    public Uri GrpcEndpoint { get; private set; } = null!;

    public IReadOnlyCollection<ReceivedSpan> Spans => _spans;

    public IReadOnlyCollection<ReceivedLog> Logs => _logs;

    public IReadOnlyCollection<ReceivedMetric> Metrics => _metrics;

    /// <summary>Every export request received, whatever its signal and protocol.</summary>
    public IReadOnlyCollection<ReceivedExport> Exports => _exports;

    /// <summary>Starts a receiver on free loopback ports, or on the given ones (4318 and 4317 are the OTLP defaults).</summary>
    public static async Task<OtlpReceiver> StartAsync(CancellationToken cancellationToken, int httpPort = 0, int grpcPort = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, httpPort, o => o.Protocols = HttpProtocols.Http1);
            kestrel.Listen(IPAddress.Loopback, grpcPort, o => o.Protocols = HttpProtocols.Http2);
        });

        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/{signal}", receiver.HandleHttpAsync);
        app.MapPost("/opentelemetry.proto.collector.{signal}.v1.{service}/Export", receiver.HandleGrpcAsync);
        await app.StartAsync(cancellationToken);

        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
            .Select(a => new Uri(a.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)))
            .ToList();
        receiver.HttpEndpoint = addresses[0];
        receiver.GrpcEndpoint = addresses[1];
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IResult> HandleHttpAsync(string signal, HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        if (!Accept(signal, body.ToArray(), "http/protobuf", context.Request.Headers))
        {
            return Results.BadRequest();
        }

        return Results.Bytes(EmptyResponse(signal), "application/x-protobuf");
    }

    private async Task HandleGrpcAsync(string signal, HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var frame = body.ToArray();
        var length = BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(1, 4));
        Accept(signal switch { "trace" => "traces", _ => signal }, frame.AsSpan(5, length).ToArray(), "grpc", context.Request.Headers);

        var message = EmptyResponse(signal);
        var response = new byte[5 + message.Length];
        BinaryPrimitives.WriteInt32BigEndian(response.AsSpan(1, 4), message.Length);
        message.CopyTo(response, 5);

        context.Response.ContentType = "application/grpc";
        await context.Response.Body.WriteAsync(response, context.RequestAborted);
        context.Response.AppendTrailer("grpc-status", "0");
    }

    private bool Accept(string signal, byte[] body, string protocol, IHeaderDictionary headers)
    {
        var headerValues = headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        switch (signal)
        {
            case "traces":
                foreach (var resourceSpans in ExportTraceServiceRequest.Parser.ParseFrom(body).ResourceSpans)
                {
                    var service = ServiceName(resourceSpans.Resource?.Attributes);
                    foreach (var span in resourceSpans.ScopeSpans.SelectMany(s => s.Spans))
                    {
                        _spans.Enqueue(new ReceivedSpan(service, resourceSpans.Resource?.Attributes ?? [], span));
                    }
                }

                break;
            case "logs":
                foreach (var resourceLogs in ExportLogsServiceRequest.Parser.ParseFrom(body).ResourceLogs)
                {
                    var service = ServiceName(resourceLogs.Resource?.Attributes);
                    foreach (var scope in resourceLogs.ScopeLogs)
                    {
                        foreach (var record in scope.LogRecords)
                        {
                            _logs.Enqueue(new ReceivedLog(service, scope.Scope?.Name ?? "", record));
                        }
                    }
                }

                break;
            case "metrics":
                foreach (var resourceMetrics in ExportMetricsServiceRequest.Parser.ParseFrom(body).ResourceMetrics)
                {
                    var service = ServiceName(resourceMetrics.Resource?.Attributes);
                    foreach (var scope in resourceMetrics.ScopeMetrics)
                    {
                        foreach (var metric in scope.Metrics)
                        {
                            _metrics.Enqueue(new ReceivedMetric(service, scope.Scope?.Name ?? "", metric));
                        }
                    }
                }

                break;
            default:
                return false;
        }

        _exports.Enqueue(new ReceivedExport(signal, protocol, headerValues));
        return true;
    }

    private static byte[] EmptyResponse(string signal) => signal switch
    {
        "traces" or "trace" => new ExportTraceServiceResponse().ToByteArray(),
        "logs" => new ExportLogsServiceResponse().ToByteArray(),
        _ => new ExportMetricsServiceResponse().ToByteArray(),
    };

    private static string ServiceName(IEnumerable<KeyValue>? attributes) =>
        attributes?.FirstOrDefault(a => a.Key == "service.name")?.Value.StringValue ?? "";
}
