using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Jarvis.ServiceDefaults.Metrics;
using Jarvis.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Jarvis.Tests.ServiceDefaults;

/// <summary><c>/metrics</c> from OpenTelemetry's Prometheus exporter on a real Kestrel service with the service defaults.</summary>
public sealed class PrometheusTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void MapItems(WebApplication app) => app.MapGet("/items/{id}", (string id) => Results.Ok(new { id }));

    [Fact]
    public async Task AScrapeHasTheHttpServerHistogramInATextFormatPromtoolParses()
    {
        await using var service = await TestService.StartAsync(Ct, MapItems);
        using var client = service.CreateClient();
        (await client.GetAsync("/items/1", Ct)).EnsureSuccessStatusCode();

        using var response = await client.GetAsync("/metrics", Ct);
        var exposition = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", exposition, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds_bucket{", exposition, StringComparison.Ordinal);
        Assert.Contains("http_route=\"/items/{id}\"", exposition, StringComparison.Ordinal);
        var (exitCode, output) = await Promtool.CheckMetricsAsync(exposition, Ct);
        Assert.True(exitCode is 0 or 3, $"promtool could not parse /metrics ({exitCode}): {output}");
        Assert.DoesNotContain("http_server_request_duration_seconds", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheEndpointIsOffWhenDisabled()
    {
        await using var service = await TestService.StartAsync(Ct, MapItems, new Dictionary<string, string?> { ["Metrics:Prometheus:Enabled"] = "false" });
        using var client = service.CreateClient();

        using var response = await client.GetAsync("/metrics", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task AScraperOutsideTheAllowedNetworksGetsA403ProblemWithTheRequestId()
    {
        await using var service = await TestService.StartAsync(Ct, MapItems, new Dictionary<string, string?> { ["Metrics:Prometheus:AllowedNetworks:0"] = "10.0.0.0/8" });
        using var client = service.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add("X-Request-ID", "scrape-refused-1");

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("scrape-refused-1", problem.GetProperty("requestId").GetString());
        Assert.Contains("Metrics:Prometheus:AllowedNetworks", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAllowedNetworkThatIsNotACidrStopsTheServiceAtStartNamingTheSetting()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestService.StartAsync(Ct, MapItems, new Dictionary<string, string?> { ["Metrics:Prometheus:AllowedNetworks:0"] = "10.0.0.300/8" }));

        Assert.Contains("Metrics:Prometheus:AllowedNetworks has '10.0.0.300/8'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::ffff:192.168.1.20", true)]
    [InlineData("::1", true)]
    [InlineData("172.31.255.1", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("8.8.8.8", false)]
    [InlineData("2001:db8::1", false)]
    public void TheDefaultNetworksAreLoopbackAndThePrivateRanges(string address, bool allowed)
    {
        Assert.Equal(allowed, PrometheusEndpoint.IsAllowed(IPAddress.Parse(address), new PrometheusOptions().Networks));
    }

    [Fact]
    public void AnUnknownRemoteAddressIsRefused()
    {
        Assert.False(PrometheusEndpoint.IsAllowed(null, new PrometheusOptions().Networks));
    }
}
