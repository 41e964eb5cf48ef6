using Microsoft.Extensions.Configuration;
using OpenTelemetry.Exporter;

namespace Jarvis.ServiceDefaults.Telemetry;

/// <summary>
/// The OTLP exporter settings from the standard variables (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, <c>_PROTOCOL</c>,
/// <c>_HEADERS</c>, and the batch and export intervals), read through configuration so tests and appsettings can set them.
/// </summary>
internal sealed record OtlpExporterSettings(
    Uri Endpoint,
    OtlpExportProtocol Protocol,
    string? Headers,
    int? TraceBatchDelayMilliseconds,
    int? LogBatchDelayMilliseconds,
    int? MetricExportIntervalMilliseconds)
{
    public const string EndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ProtocolKey = "OTEL_EXPORTER_OTLP_PROTOCOL";
    public const string HeadersKey = "OTEL_EXPORTER_OTLP_HEADERS";

    /// <summary>The settings, or null when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is unset: then nothing is exported.</summary>
    public static OtlpExporterSettings? FromConfiguration(IConfiguration configuration)
    {
        var endpoint = configuration[EndpointKey];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return null;
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            throw new InvalidOperationException($"{EndpointKey} must be an absolute URL such as http://localhost:4318; it is '{endpoint}'.");
        }

        var protocol = configuration[ProtocolKey]?.Trim().ToLowerInvariant() switch
        {
            null or "" or "grpc" => OtlpExportProtocol.Grpc,
            "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            var other => throw new InvalidOperationException($"{ProtocolKey} must be 'grpc' or 'http/protobuf'; '{other}' is not supported."),
        };

        return new OtlpExporterSettings(
            uri,
            protocol,
            configuration[HeadersKey],
            Milliseconds(configuration, "OTEL_BSP_SCHEDULE_DELAY"),
            Milliseconds(configuration, "OTEL_BLRP_SCHEDULE_DELAY"),
            Milliseconds(configuration, "OTEL_METRIC_EXPORT_INTERVAL"));
    }

    /// <summary>Applies the settings for one signal (<c>traces</c>, <c>logs</c> or <c>metrics</c>).</summary>
    public void Apply(OtlpExporterOptions options, string signal)
    {
        options.Protocol = Protocol;
        options.Endpoint = EndpointFor(signal);
        options.Headers = Headers;
    }

    /// <summary>
    /// With gRPC the endpoint is used as it is; with HTTP the signal path is appended to the base endpoint, as the
    /// specification says for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (the exporter does not do it for an endpoint set in code).
    /// </summary>
    public Uri EndpointFor(string signal) => Protocol == OtlpExportProtocol.Grpc
        ? Endpoint
        : new Uri(Endpoint.AbsoluteUri.TrimEnd('/') + "/v1/" + signal);

    private static int? Milliseconds(IConfiguration configuration, string key) =>
        int.TryParse(configuration[key], out var value) && value > 0 ? value : null;
}
