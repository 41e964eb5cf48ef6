using Jarvis.Tests.Infrastructure.Otlp.Proto.Collector;
using Jarvis.Tests.Infrastructure.Otlp.Proto.Resource;

namespace Jarvis.Tests.Infrastructure.Otlp;

/// <summary>Keeping an export's contents; shared by the HTTP and the gRPC transport, called only with the key.</summary>
public sealed partial class OtlpReceiver
{
    private ExportTraceServiceResponse ExportTraces(byte[] body)
    {
        var request = ExportTraceServiceRequest.Parser.ParseFrom(body);
        _bodies.Enqueue(body);
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var resource = Remember(resourceSpans.Resource);
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                foreach (var span in scopeSpans.Spans)
                {
                    _spans.Enqueue(OtlpSpan.From(span, resource, scopeSpans.Scope?.Name ?? ""));
                }
            }
        }

        return new ExportTraceServiceResponse();
    }

    private ExportLogsServiceResponse ExportLogs(byte[] body)
    {
        var request = ExportLogsServiceRequest.Parser.ParseFrom(body);
        _bodies.Enqueue(body);
        foreach (var resourceLogs in request.ResourceLogs)
        {
            var resource = Remember(resourceLogs.Resource);
            foreach (var scopeLogs in resourceLogs.ScopeLogs)
            {
                foreach (var record in scopeLogs.LogRecords)
                {
                    _logs.Enqueue(OtlpLog.From(record, resource, scopeLogs.Scope?.Name ?? ""));
                }
            }
        }

        return new ExportLogsServiceResponse();
    }

    private ExportMetricsServiceResponse ExportMetrics(byte[] body)
    {
        var request = ExportMetricsServiceRequest.Parser.ParseFrom(body);
        _bodies.Enqueue(body);
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            var resource = Remember(resourceMetrics.Resource);
            foreach (var scopeMetrics in resourceMetrics.ScopeMetrics)
            {
                foreach (var metric in scopeMetrics.Metrics)
                {
                    _metrics.Enqueue(OtlpMetric.From(metric, resource, scopeMetrics.Scope?.Name ?? ""));
                }
            }
        }

        return new ExportMetricsServiceResponse();
    }

    /// <summary>Keeps the resource's attributes under its service name, which is returned.</summary>
    private string Remember(Resource? resource)
    {
        var serviceName = OtlpValues.ServiceName(resource);
        _resources[serviceName] = OtlpValues.Attributes(resource?.Attributes);
        return serviceName;
    }
}
