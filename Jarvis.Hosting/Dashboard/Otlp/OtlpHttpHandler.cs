using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Jarvis.Hosting.Dashboard.Otlp.Proto.Collector;
using Jarvis.Hosting.Dashboard.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using RpcStatus = Jarvis.Hosting.Dashboard.Otlp.Proto.Rpc.Status;

namespace Jarvis.Hosting.Dashboard.Otlp;

/// <summary>
/// Serves one OTLP/HTTP export: checks the API key, the content type and the size, parses the protobuf body, stores
/// what is valid and answers with the export response (with <c>partial_success</c> when items were rejected). Failures
/// get the status code the OTLP specification names and a <c>google.rpc.Status</c> body.
/// </summary>
internal sealed partial class OtlpHttpHandler(TelemetryRepository repository, string apiKey, long maxBodyBytes, ILogger logger)
{
    internal const string ApiKeyHeader = "x-otlp-api-key";
    private const string Protobuf = "application/x-protobuf";

    // Compared as hashes: equal lengths, so the comparison's time says nothing about the key, not even its length.
    private readonly byte[] _apiKeyHash = SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));

    public Task HandleTracesAsync(HttpContext context) => HandleAsync(context, "traces", (body, batch) =>
    {
        var rejected = OtlpTraceConverter.Convert(ExportTraceServiceRequest.Parser.ParseFrom(body), Attributes, batch);
        return new ExportTraceServiceResponse
        {
            PartialSuccess = rejected == 0 ? null : new ExportTracePartialSuccess
            {
                RejectedSpans = rejected,
                ErrorMessage = $"{rejected} span(s) rejected: a trace id must be 16 bytes and a span id 8 bytes, not all zero.",
            },
        };
    });

    public Task HandleLogsAsync(HttpContext context) => HandleAsync(context, "logs", (body, batch) =>
    {
        var rejected = OtlpLogConverter.Convert(ExportLogsServiceRequest.Parser.ParseFrom(body), Attributes, batch);
        return new ExportLogsServiceResponse
        {
            PartialSuccess = rejected == 0 ? null : new ExportLogsPartialSuccess
            {
                RejectedLogRecords = rejected,
                ErrorMessage = $"{rejected} log record(s) rejected: a trace id must be empty or 16 bytes, a span id empty or 8 bytes.",
            },
        };
    });

    public Task HandleMetricsAsync(HttpContext context) => HandleAsync(context, "metrics", (body, batch) =>
    {
        OtlpMetricConverter.Convert(ExportMetricsServiceRequest.Parser.ParseFrom(body), Attributes, batch);
        return new ExportMetricsServiceResponse();
    });

    private OtlpAttributes Attributes => OtlpAttributes.From(repository.Limits);

    private async Task HandleAsync(HttpContext context, string signal, Func<byte[], TelemetryBatch, IMessage> convert)
    {
        var request = context.Request;
        if (!IsApiKey(request.Headers[ApiKeyHeader]))
        {
            await FailAsync(context, signal, StatusCodes.Status401Unauthorized, $"Missing or wrong {ApiKeyHeader} header.");
            return;
        }

        if (!string.Equals(request.ContentType?.Split(';')[0].Trim(), Protobuf, StringComparison.OrdinalIgnoreCase) || OtlpRequestBody.HasUnsupportedEncoding(request))
        {
            await FailAsync(context, signal, StatusCodes.Status415UnsupportedMediaType, $"Send {Protobuf}, uncompressed or with Content-Encoding: gzip.");
            return;
        }

        IMessage response;
        var batch = new TelemetryBatch();
        try
        {
            var body = await OtlpRequestBody.ReadAsync(request, maxBodyBytes, context.RequestAborted);
            if (body is null)
            {
                await FailAsync(context, signal, StatusCodes.Status413PayloadTooLarge, $"The body is over {maxBodyBytes} bytes; export smaller batches.");
                return;
            }

            response = convert(body, batch);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidDataException)
        {
            await FailAsync(context, signal, StatusCodes.Status400BadRequest, $"The body is not a valid {signal} export request: {e.Message}");
            return;
        }

        repository.Ingest(batch);
        context.Response.ContentType = Protobuf;
        await context.Response.Body.WriteAsync(response.ToByteArray(), context.RequestAborted);
    }

    private async Task FailAsync(HttpContext context, string signal, int statusCode, string message)
    {
        LogRejected(logger, signal, statusCode, message);
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = Protobuf;

        // gRPC codes, as google.rpc.Status carries them: UNAUTHENTICATED, INVALID_ARGUMENT, RESOURCE_EXHAUSTED.
        var code = statusCode switch { 401 => 16, 413 => 8, _ => 3 };
        await context.Response.Body.WriteAsync(new RpcStatus { Code = code, Message = message }.ToByteArray(), context.RequestAborted);
    }

    private bool IsApiKey(string? candidate) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(candidate)), _apiKeyHash);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refused an OTLP {Signal} export with {StatusCode}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string signal, int statusCode, string reason);
}
