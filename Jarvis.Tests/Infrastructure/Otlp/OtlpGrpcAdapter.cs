using System.Buffers.Binary;
using System.Net;
using Google.Protobuf;
using Jarvis.Hosting.Dashboard;
using Jarvis.Hosting.Dashboard.Otlp;
using Jarvis.Hosting.Dashboard.Otlp.Proto.Collector;
using Jarvis.Hosting.Dashboard.Telemetry;
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
/// OTLP/gRPC transport for the tests of exporters set to <c>grpc</c>: unframes each unary call (HTTP/2,
/// length-prefixed message, <c>grpc-status</c> trailer) and hands the message to the dashboard's own converters and
/// repository. The dashboard itself receives OTLP/HTTP only.
/// </summary>
public sealed class OtlpGrpcAdapter : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpGrpcAdapter(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    public static async Task<OtlpGrpcAdapter> StartAsync(TelemetryRepository repository, string apiKey, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        var attributes = OtlpAttributes.From(new TelemetryLimitsOptions());
        app.MapPost("/opentelemetry.proto.collector.{signal}.v1.{service}/Export", async (string signal, HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            var frame = body.ToArray();
            var message = frame.AsSpan(5, BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(1, 4))).ToArray();
            var authorized = context.Request.Headers["x-otlp-api-key"] == apiKey;
            var batch = new TelemetryBatch();
            IMessage response = signal switch
            {
                "trace" => Convert(() => OtlpTraceConverter.Convert(ExportTraceServiceRequest.Parser.ParseFrom(message), attributes, batch), new ExportTraceServiceResponse()),
                "logs" => Convert(() => OtlpLogConverter.Convert(ExportLogsServiceRequest.Parser.ParseFrom(message), attributes, batch), new ExportLogsServiceResponse()),
                _ => Convert(() => OtlpMetricConverter.Convert(ExportMetricsServiceRequest.Parser.ParseFrom(message), attributes, batch), new ExportMetricsServiceResponse()),
            };
            if (authorized)
            {
                repository.Ingest(batch);
            }

            var bytes = response.ToByteArray();
            var reply = new byte[5 + bytes.Length];
            BinaryPrimitives.WriteInt32BigEndian(reply.AsSpan(1, 4), bytes.Length);
            bytes.CopyTo(reply, 5);
            context.Response.ContentType = "application/grpc";
            await context.Response.Body.WriteAsync(reply, context.RequestAborted);

            // UNAUTHENTICATED, as the dashboard's gRPC endpoint answers a missing key.
            context.Response.AppendTrailer("grpc-status", authorized ? "0" : "16");
        });
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new OtlpGrpcAdapter(app) { Endpoint = new Uri(address) };

        static IMessage Convert(Action convert, IMessage response)
        {
            convert();
            return response;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
