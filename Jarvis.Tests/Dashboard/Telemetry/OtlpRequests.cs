using System.Net.Http.Headers;
using Google.Protobuf;
using Jarvis.Hosting.Dashboard.Otlp.Proto.Collector;
using Jarvis.Hosting.Dashboard.Otlp.Proto.Common;
using Jarvis.Hosting.Dashboard.Otlp.Proto.Logs;
using Jarvis.Hosting.Dashboard.Otlp.Proto.Metrics;
using Jarvis.Hosting.Dashboard.Otlp.Proto.Resource;
using Jarvis.Hosting.Dashboard.Otlp.Proto.Trace;
using Jarvis.Tests.Infrastructure.Otlp;

namespace Jarvis.Tests.Dashboard.Telemetry;

/// <summary>Hand-built OTLP export requests, for what an SDK would not send (bad ids, summaries, exact timestamps).</summary>
internal static class OtlpRequests
{
    public static readonly DateTimeOffset Epoch = new(2020, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static Resource Service(string name) => new() { Attributes = { Text("service.name", name) } };

    public static KeyValue Text(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    public static ulong Nanos(TimeSpan sinceEpoch) => (ulong)(Epoch + sinceEpoch - DateTimeOffset.UnixEpoch).Ticks * 100;

    public static ByteString TraceId(int n) => Id(16, n);

    public static ByteString SpanId(int n) => Id(8, n);

    public static Span MakeSpan(int trace, int span, string name, int second, int? parent = null) => new()
    {
        TraceId = TraceId(trace),
        SpanId = SpanId(span),
        ParentSpanId = parent is { } p ? SpanId(p) : ByteString.Empty,
        Name = name,
        Kind = Span.Types.SpanKind.Internal,
        StartTimeUnixNano = Nanos(TimeSpan.FromSeconds(second)),
        EndTimeUnixNano = Nanos(TimeSpan.FromSeconds(second + 1)),
    };

    public static ExportTraceServiceRequest Traces(string service, params Span[] spans) => new()
    {
        ResourceSpans = { new ResourceSpans { Resource = Service(service), ScopeSpans = { new ScopeSpans { Scope = new InstrumentationScope { Name = "test" }, Spans = { spans } } } } },
    };

    public static ExportLogsServiceRequest Logs(string service, params string[] messages) => new()
    {
        ResourceLogs =
        {
            new ResourceLogs
            {
                Resource = Service(service),
                ScopeLogs = { new ScopeLogs { LogRecords = { messages.Select((m, i) => new LogRecord { Body = new AnyValue { StringValue = m }, SeverityNumber = SeverityNumber.Info, TimeUnixNano = Nanos(TimeSpan.FromSeconds(i)) }) } } },
            },
        },
    };

    public static ExportMetricsServiceRequest Metrics(string service, Metric metric) => new()
    {
        ResourceMetrics = { new ResourceMetrics { Resource = Service(service), ScopeMetrics = { new ScopeMetrics { Scope = new InstrumentationScope { Name = "test-meter" }, Metrics = { metric } } } } },
    };

    public static Metric Gauge(string name, params double[] values) => new()
    {
        Name = name,
        Gauge = new Gauge { DataPoints = { values.Select((v, i) => new NumberDataPoint { AsDouble = v, TimeUnixNano = Nanos(TimeSpan.FromSeconds(i)) }) } },
    };

    /// <summary>Posts a request as an exporter would: protobuf, with the receiver's key unless another is given.</summary>
    public static async Task<HttpResponseMessage> PostAsync(OtlpReceiver receiver, string signal, IMessage request, CancellationToken cancellationToken, string? apiKey = null)
    {
        using var client = new HttpClient();
        using var content = new ByteArrayContent(request.ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(receiver.HttpEndpoint, $"/v1/{signal}")) { Content = content };
        message.Headers.Add("x-otlp-api-key", apiKey ?? receiver.ApiKey);
        return await client.SendAsync(message, cancellationToken);
    }

    private static ByteString Id(int length, int n)
    {
        var bytes = new byte[length];
        BitConverter.GetBytes(n).CopyTo(bytes, length - 4);
        return ByteString.CopyFrom(bytes);
    }
}
