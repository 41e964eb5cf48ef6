using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Jarvis.Tests.Infrastructure.Otlp;

/// <summary>
/// OTLP/gRPC: the three unary <c>Export</c> calls over HTTP/2. A request or response message is framed with a 1-byte
/// compressed flag and a 4-byte big-endian length; success is the framed export response and a <c>grpc-status: 0</c>
/// trailer, a failure a trailers-only response whose headers carry the status.
/// </summary>
public sealed partial class OtlpReceiver
{
    private const string GrpcContentType = "application/grpc";

    private void MapGrpc(WebApplication app)
    {
        app.MapPost("/opentelemetry.proto.collector.trace.v1.TraceService/Export", context => ServeGrpcAsync(context, ExportTraces));
        app.MapPost("/opentelemetry.proto.collector.logs.v1.LogsService/Export", context => ServeGrpcAsync(context, ExportLogs));
        app.MapPost("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", context => ServeGrpcAsync(context, ExportMetrics));
    }

    private async Task ServeGrpcAsync(HttpContext context, Func<byte[], IMessage> export)
    {
        var response = context.Response;
        response.ContentType = GrpcContentType;
        if (!HasApiKey(context.Request))
        {
            SetStatus(response.Headers, Unauthenticated, $"Missing or wrong {ApiKeyHeader} metadata.");
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var frame = body.ToArray();
        var gzip = context.Request.Headers["grpc-encoding"] == "gzip";
        if (frame.Length >= 5 && frame[0] == 1 && !gzip)
        {
            response.Headers["grpc-accept-encoding"] = "gzip";
            SetStatus(response.Headers, Unimplemented, "Messages may be compressed with gzip only.");
            return;
        }

        IMessage reply;
        try
        {
            reply = export(Unframe(frame));
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidDataException)
        {
            SetStatus(response.Headers, InvalidArgument, "The request is not one valid export message.");
            return;
        }

        var message = reply.ToByteArray();
        var framed = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1, 4), (uint)message.Length);
        message.CopyTo(framed, 5);
        await response.Body.WriteAsync(framed, context.RequestAborted);
        response.AppendTrailer("grpc-status", "0");
    }

    /// <summary>The one message of a unary call, inflated when its compressed flag is set.</summary>
    /// <exception cref="InvalidDataException">The body is not exactly one framed message, or its gzip is corrupt.</exception>
    private static byte[] Unframe(byte[] frame)
    {
        if (frame.Length < 5 || BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(1, 4)) != frame.Length - 5)
        {
            throw new InvalidDataException("Expected one length-prefixed message.");
        }

        if (frame[0] == 0)
        {
            return frame[5..];
        }

        if (frame[0] != 1)
        {
            throw new InvalidDataException("The compressed flag is neither 0 nor 1.");
        }

        using var inflated = new MemoryStream();
        using (var gzip = new GZipStream(new MemoryStream(frame, 5, frame.Length - 5), CompressionMode.Decompress))
        {
            gzip.CopyTo(inflated);
        }

        return inflated.ToArray();
    }

    private static void SetStatus(IHeaderDictionary headers, int code, string message)
    {
        headers["grpc-status"] = code.ToString(CultureInfo.InvariantCulture);
        headers["grpc-message"] = Uri.EscapeDataString(message);
    }
}
