using System.IO.Compression;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RpcStatus = Jarvis.Tests.Infrastructure.Otlp.Proto.Rpc.Status;

namespace Jarvis.Tests.Infrastructure.Otlp;

/// <summary>
/// OTLP/HTTP: <c>POST /v1/traces</c>, <c>/v1/logs</c> and <c>/v1/metrics</c> with an <c>application/x-protobuf</c> body,
/// plain or <c>Content-Encoding: gzip</c>. Success is 200 with the export response; a failure gets the status code the
/// specification names and a <c>google.rpc.Status</c> body.
/// </summary>
public sealed partial class OtlpReceiver
{
    private const string Protobuf = "application/x-protobuf";

    private void MapHttp(WebApplication app)
    {
        app.MapPost("/v1/traces", context => ServeHttpAsync(context, ExportTraces));
        app.MapPost("/v1/logs", context => ServeHttpAsync(context, ExportLogs));
        app.MapPost("/v1/metrics", context => ServeHttpAsync(context, ExportMetrics));
    }

    private async Task ServeHttpAsync(HttpContext context, Func<byte[], IMessage> export)
    {
        var request = context.Request;
        if (!HasApiKey(request))
        {
            await FailAsync(context.Response, StatusCodes.Status401Unauthorized, Unauthenticated, $"Missing or wrong {ApiKeyHeader} header.");
            return;
        }

        var encoding = request.Headers.ContentEncoding.ToString();
        var gzip = encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase);
        var protobuf = string.Equals(request.ContentType?.Split(';')[0].Trim(), Protobuf, StringComparison.OrdinalIgnoreCase);
        if (!protobuf || !(gzip || encoding is "" or "identity"))
        {
            await FailAsync(context.Response, StatusCodes.Status415UnsupportedMediaType, InvalidArgument, $"Send {Protobuf}, plain or gzip.");
            return;
        }

        IMessage response;
        try
        {
            response = export(await ReadBodyAsync(request, gzip, context.RequestAborted));
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidDataException)
        {
            await FailAsync(context.Response, StatusCodes.Status400BadRequest, InvalidArgument, e.Message);
            return;
        }

        context.Response.ContentType = Protobuf;
        await context.Response.Body.WriteAsync(response.ToByteArray(), context.RequestAborted);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, bool gzip, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        if (gzip)
        {
            await using var inflated = new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
            await inflated.CopyToAsync(body, cancellationToken);
        }
        else
        {
            await request.Body.CopyToAsync(body, cancellationToken);
        }

        return body.ToArray();
    }

    private static async Task FailAsync(HttpResponse response, int statusCode, int grpcCode, string message)
    {
        response.StatusCode = statusCode;
        response.ContentType = Protobuf;
        await response.Body.WriteAsync(new RpcStatus { Code = grpcCode, Message = message }.ToByteArray(), response.HttpContext.RequestAborted);
    }
}
