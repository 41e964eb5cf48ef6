using Jarvis.Hosting;
using Jarvis.Hosting.Dashboard.Otlp;
using Jarvis.Hosting.Dashboard.Telemetry;
using Jarvis.Hosting.Testing;
using Jarvis.Tests.Infrastructure;
using Jarvis.Tests.Infrastructure.Otlp;
using Jarvis.Tests.Stack;
using Microsoft.Extensions.DependencyInjection;

namespace Jarvis.Tests.Dashboard.Telemetry;

/// <summary>The app host's own dashboard: its receiver's URL and key reach every service, and their telemetry reaches it.</summary>
public sealed class AppHostTelemetryTests : IAsyncLifetime
{
    private DistributedApplication _app = null!;

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var builder = DistributedApplicationTestingBuilder.Create();
        builder.ApplicationBuilder.AddProject<Projects.Jarvis_Voice>("voice").WithHttpHealthCheck("/health");
        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("voice", timeout.Token);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task EveryServiceExportsToTheDashboardsReceiverWithItsKey()
    {
        var ct = TestContext.Current.CancellationToken;
        var otlp = _app.Services.GetRequiredService<OtlpHttpServer>();
        var environment = LinuxProcesses.ReadEnvironment(_app.ResourceNotifications.GetSnapshot("voice")!.ProcessId!.Value);

        Assert.Equal(otlp.Endpoint!.ToString().TrimEnd('/'), environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("http/protobuf", environment["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        Assert.Equal($"x-otlp-api-key={otlp.ApiKey}", environment["OTEL_EXPORTER_OTLP_HEADERS"]);
        Assert.Matches("^[0-9a-f]{32}$", otlp.ApiKey);
        Assert.Equal("******", _app.ResourceNotifications.GetSnapshot("voice")!.Environment.Single(v => v.Name == "OTEL_EXPORTER_OTLP_HEADERS").Value);

        using var client = _app.CreateHttpClient("voice");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard-telemetry-probe");
        request.Headers.Add("X-Request-ID", "dashboard-probe-1");
        using var response = await client.SendAsync(request, ct);

        var repository = _app.Services.GetRequiredService<TelemetryRepository>();
        var span = await Eventually.FindAsync(
            () => repository.GetTraces(new TraceQuery(Resource: "voice")).Select(t => repository.GetTrace(t.TraceId)!).SelectMany(t => t.Spans)
                .FirstOrDefault(s => s.Attribute("request_id") == "dashboard-probe-1"),
            "the voice service's span in the dashboard", ct);
        Assert.Equal("voice", span.Resource);
        Assert.Contains("voice", repository.GetResources());
        await Eventually.FindAsync(() => repository.GetInstruments("voice").FirstOrDefault(i => i.Name == "http.server.request.duration"), "the voice service's request metric", ct);
    }
}
