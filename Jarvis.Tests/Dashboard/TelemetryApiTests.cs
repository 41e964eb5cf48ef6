using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Jarvis.Hosting;
using Jarvis.Hosting.Dashboard;
using Jarvis.Hosting.Testing;
using Jarvis.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Jarvis.Tests.Dashboard;

/// <summary>
/// The dashboard's telemetry API over what a real service (voice, health-checked every few seconds) exports to the
/// app host's own OTLP receiver: bounded answers, filters, ETags and problems.
/// </summary>
public sealed class TelemetryApiTests : IAsyncLifetime
{
    private DistributedApplication _app = null!;
    private HttpClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var builder = DistributedApplicationTestingBuilder.Create();
        builder.ApplicationBuilder.AddProject<Projects.Jarvis_Voice>("voice").WithHttpHealthCheck("/health");
        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("voice", timeout.Token);
        var login = _app.Services.GetRequiredService<DashboardServer>().LoginUrl!;
        _client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = login };
        (await _client.GetAsync(login, timeout.Token)).EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task TracesLogsAndMetricsOfAServiceAreQueryableInBoundedPages()
    {
        var ct = TestContext.Current.CancellationToken;
        using var voice = _app.CreateHttpClient("voice");
        foreach (var path in (string[])["/nope", "/nope", "/nope"])
        {
            await voice.GetAsync(new Uri(path, UriKind.Relative), ct);
        }

        await Eventually.TrueAsync(async () => (await Json("/api/telemetry/traces?resource=voice", ct)).GetArrayLength() > 1, "two traces of requests to voice", ct);

        var one = await Json("/api/telemetry/traces?resource=voice&limit=1", ct);
        var traceId = Assert.Single(one.EnumerateArray()).GetProperty("traceId").GetString();
        var trace = await Json($"/api/telemetry/traces/{traceId}", ct);
        Assert.Equal("voice", trace.GetProperty("spans")[0].GetProperty("resource").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync(new Uri("/api/telemetry/traces/00000000000000000000000000000000", UriKind.Relative), ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync(new Uri("/api/telemetry/traces?errorsOnly=maybe", UriKind.Relative), ct)).StatusCode);

        Assert.True((await Json("/api/telemetry/logs?resource=voice&limit=2", ct)).GetArrayLength() <= 2);
        Assert.Contains("voice", (await Json("/api/telemetry/resources", ct)).EnumerateArray().Select(r => r.GetString()));

        await Eventually.TrueAsync(async () => (await Json("/api/telemetry/instruments?resource=voice", ct)).EnumerateArray()
            .Any(i => i.GetProperty("name").GetString() == "http.server.request.duration"), "voice's request duration instrument", ct);
        var duration = await Json("/api/telemetry/instruments/voice/Microsoft.AspNetCore.Hosting/http.server.request.duration?minutes=5", ct);
        Assert.Equal("Histogram", duration.GetProperty("instrument").GetProperty("type").GetString());
        Assert.NotEqual(0, duration.GetProperty("series").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync(new Uri("/api/telemetry/instruments/voice/nope/nope", UriKind.Relative), ct)).StatusCode);
    }

    [Fact]
    public async Task AnAnswerIsNotModifiedUntilNewTelemetryArrives()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = await _client.GetAsync(new Uri("/api/telemetry/resources", UriKind.Relative), ct);
        using var again = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/telemetry/resources", UriKind.Relative));
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        var second = await _client.SendAsync(again, ct);

        // An export may land in between; then the answer carries a newer version, never the same one again.
        Assert.True(second.StatusCode == HttpStatusCode.NotModified || second.Headers.ETag != first.Headers.ETag, $"{second.StatusCode} {second.Headers.ETag}");
    }

    private async Task<JsonElement> Json(string path, CancellationToken cancellationToken) =>
        await _client.GetFromJsonAsync<JsonElement>(path, cancellationToken);
}
