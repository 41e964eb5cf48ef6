using System.Net;
using System.Net.Sockets;
using Jarvis.Tests.Infrastructure;
using Jarvis.Tests.Infrastructure.Otlp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Jarvis.Tests.ServiceDefaults;

/// <summary>Telemetry from a real Kestrel service to a test OTLP receiver; it only stores requests with the key.</summary>
public sealed class TelemetryTests
{
    private static Dictionary<string, string?> OtlpSettings(Uri endpoint, string protocol = "http/protobuf") => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint.ToString(),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = protocol,
        ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-otlp-api-key=test-key",
        ["OTEL_SERVICE_NAME"] = "telemetry-test",
        ["OTEL_RESOURCE_ATTRIBUTES"] = "service.instance.id=instance-7,deployment.region=eu%20west",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        ["OTEL_BLRP_SCHEDULE_DELAY"] = "100",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
    };

    private static void MapItems(WebApplication app) =>
        app.MapGet("/items/{id}", (string id, ILogger<TelemetryTests> logger) =>
        {
            logger.LogInformation("Handled item {ItemId}", id);
            return Results.Ok(new { id });
        });

    [Fact]
    public async Task RequestProducesServerSpanWithRequestIdAndHttpAttributes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct);
        await using var service = await TestService.StartAsync(ct, MapItems, OtlpSettings(receiver.HttpEndpoint));
        using var client = service.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/items/42");
        request.Headers.Add("X-Request-ID", "span-request-1");
        (await client.SendAsync(request, ct)).EnsureSuccessStatusCode();

        var span = await Eventually.FindAsync(
            () => receiver.Spans.FirstOrDefault(s => s.Attribute("request_id") == "span-request-1"), "the server span", ct);

        Assert.Equal("GET /items/{id}", span.Name);
        Assert.Equal("Server", span.Kind);
        Assert.Equal("GET", span.Attribute("http.request.method"));
        Assert.Equal("/items/{id}", span.Attribute("http.route"));
        Assert.Equal("/items/42", span.Attribute("url.path"));
        Assert.Equal("200", span.Attribute("http.response.status_code"));
        Assert.Equal("127.0.0.1", span.Attribute("client_ip"));
        Assert.Equal("telemetry-test", span.Resource);
        var resource = receiver.ResourceAttributes("telemetry-test");
        Assert.Equal("instance-7", resource.GetValueOrDefault("service.instance.id"));
        Assert.Equal("eu west", resource.GetValueOrDefault("deployment.region"));
    }

    [Fact]
    public async Task LogRecordCarriesRequestIdAndTheSpansTraceId()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct);
        await using var service = await TestService.StartAsync(ct, MapItems, OtlpSettings(receiver.HttpEndpoint));
        using var client = service.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/items/7");
        request.Headers.Add("X-Request-ID", "log-request-1");
        (await client.SendAsync(request, ct)).EnsureSuccessStatusCode();

        var log = await Eventually.FindAsync(
            () => receiver.Logs.FirstOrDefault(l => l.Message == "Handled item 7"), "the handler's log record", ct);
        var span = await Eventually.FindAsync(
            () => receiver.Spans.FirstOrDefault(s => s.Attribute("request_id") == "log-request-1"), "the server span", ct);

        Assert.Equal("log-request-1", log.Attribute("request_id"));
        Assert.Equal("7", log.Attribute("ItemId"));
        Assert.Equal("/items/7", log.Attribute("path"));
        Assert.Equal(span.TraceId, log.TraceId);

        var served = await Eventually.FindAsync(
            () => receiver.Logs.FirstOrDefault(l => l.Message.StartsWith("request served", StringComparison.Ordinal) && l.Attribute("request_id") == "log-request-1"),
            "the request served record", ct);
        Assert.Equal("200", served.Attribute("status_code"));
        Assert.NotNull(served.Attribute("latency_ms"));
    }

    [Fact]
    public async Task HttpServerRequestDurationMetricIsExported()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct);
        await using var service = await TestService.StartAsync(ct, MapItems, OtlpSettings(receiver.HttpEndpoint));
        using var client = service.CreateClient();

        (await client.GetAsync("/items/1", ct)).EnsureSuccessStatusCode();

        var points = await Eventually.FindAsync(
            () => receiver.Instrument("telemetry-test", "Microsoft.AspNetCore.Hosting", "http.server.request.duration")?.Points
                .Where(p => p.Attribute("http.route") == "/items/{id}").ToArray() is [_, ..] found ? found : null,
            "http.server.request.duration for /items/{id}", ct);

        var instrument = receiver.Instruments("telemetry-test").Single(i => i.Name == "http.server.request.duration");
        Assert.Equal("s", instrument.Unit);
        Assert.Equal("Histogram", instrument.Type);
        Assert.True(points.Sum(p => p.Count) >= 1);
    }

    [Fact]
    public async Task HealthProbesAreNotTraced()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct);
        await using var service = await TestService.StartAsync(ct, MapItems, OtlpSettings(receiver.HttpEndpoint));
        using var client = service.CreateClient();

        await client.GetAsync("/health", ct);
        await client.GetAsync("/alive", ct);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/items/after-probes");
        request.Headers.Add("X-Request-ID", "after-probes");
        (await client.SendAsync(request, ct)).EnsureSuccessStatusCode();

        // The probes were served first, so their spans would have been exported with or before this one.
        await Eventually.FindAsync(() => receiver.Spans.FirstOrDefault(s => s.Attribute("request_id") == "after-probes"), "the item span", ct);
        await service.App.StopAsync(ct);

        Assert.DoesNotContain(receiver.Spans, s => s.Attribute("url.path") is "/health" or "/alive");
        Assert.DoesNotContain(receiver.Spans, s => s.Name.Contains("health", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task GrpcProtocolIsHonoured()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct);
        await using var service = await TestService.StartAsync(ct, MapItems, OtlpSettings(receiver.GrpcEndpoint, "grpc"));
        using var client = service.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/items/grpc");
        request.Headers.Add("X-Request-ID", "grpc-request");
        (await client.SendAsync(request, ct)).EnsureSuccessStatusCode();

        // Only the gRPC endpoint was given, and it stores only exports that carry the key.
        await Eventually.FindAsync(() => receiver.Spans.FirstOrDefault(s => s.Attribute("request_id") == "grpc-request"), "the span over gRPC", ct);
        await Eventually.FindAsync(() => receiver.Logs.FirstOrDefault(l => l.Message == "Handled item grpc"), "the log over gRPC", ct);
    }

    [Fact]
    public async Task SecretsNeverReachTheOtlpLogs()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct);
        await using var service = await TestService.StartAsync(ct, app => app.MapGet("/leak", (ILogger<TelemetryTests> logger) =>
        {
            logger.LogWarning("Calling upstream with api_key=secret123 and {Header}", "Authorization: Bearer xyz-secret-token");
            using (logger.BeginScope(new Dictionary<string, object?> { ["password"] = "hunter2" }))
            {
                logger.LogError(new InvalidOperationException("connect failed: Password=hunter2;"), "Upstream failed for {ConnectionString}", "Endpoint=http://q:6333;Key=qkey-secret");
            }

            return Results.Ok();
        }), OtlpSettings(receiver.HttpEndpoint));
        using var client = service.CreateClient();

        (await client.GetAsync("/leak", ct)).EnsureSuccessStatusCode();

        var failed = await Eventually.FindAsync(() => receiver.Logs.FirstOrDefault(l => l.Message.StartsWith("Upstream failed", StringComparison.Ordinal)), "the error record", ct);
        var warning = await Eventually.FindAsync(() => receiver.Logs.FirstOrDefault(l => l.Message.StartsWith("Calling upstream", StringComparison.Ordinal)), "the warning record", ct);

        foreach (var text in new[] { failed.AllText(), warning.AllText() })
        {
            Assert.DoesNotContain("secret123", text, StringComparison.Ordinal);
            Assert.DoesNotContain("xyz-secret-token", text, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
            Assert.DoesNotContain("qkey-secret", text, StringComparison.Ordinal);
        }

        Assert.Contains("api_key=***", warning.Message, StringComparison.Ordinal);
        Assert.Equal("Endpoint=http://q:6333;Key=***", failed.Attribute("ConnectionString"));
        Assert.Equal("***", failed.Attribute("password"));
        Assert.DoesNotContain(service.Logs.Records, r => r.AllText.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NothingIsSentWhenTheEndpointIsUnset()
    {
        var ct = TestContext.Current.CancellationToken;

        // Listeners on the OTLP default ports would see an exporter that fell back to its defaults connect.
        var http = new TcpListener(IPAddress.Loopback, 4318);
        var grpc = new TcpListener(IPAddress.Loopback, 4317);
        http.Start();
        grpc.Start();
        try
        {
            var connections = new[] { http.AcceptSocketAsync(ct).AsTask(), grpc.AcceptSocketAsync(ct).AsTask() };
            await using (var service = await TestService.StartAsync(ct, MapItems, new Dictionary<string, string?>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
            }))
            {
                using var client = service.CreateClient();
                for (var i = 0; i < 5; i++)
                {
                    (await client.GetAsync($"/items/{i}", ct)).EnsureSuccessStatusCode();
                }

                await Task.Delay(1000, ct);

                // Stopping flushes every provider: anything buffered would be sent now.
                await service.App.StopAsync(ct);
            }

            Assert.DoesNotContain(connections, c => c.IsCompleted);
        }
        finally
        {
            http.Stop();
            grpc.Stop();
        }
    }
}
