using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Jarvis.Hosting;
using Jarvis.Hosting.Dashboard;
using Jarvis.Hosting.Orchestration;
using Jarvis.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Jarvis.Tests.Hosting;

/// <summary>The app host's dashboard server: login by browser token, resources, console logs and commands.</summary>
public sealed class DashboardTests : IAsyncLifetime
{
    private DistributedApplication _app = null!;
    private Uri _loginUrl = null!;

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var builder = DistributedApplicationTestingBuilder.Create();
        var key = builder.ApplicationBuilder.AddParameter("voice-key", secret: true);
        builder.ApplicationBuilder.AddProject<Projects.Jarvis_Voice>("voice")
            .WithEnvironment("Voice__Key", key)
            .WithHttpHealthCheck("/health");
        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("voice", timeout.Token);
        _loginUrl = _app.Services.GetRequiredService<DashboardServer>().LoginUrl ?? throw new InvalidOperationException("The dashboard did not start.");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task EverythingButTheLoginNeedsTheTokenCookie()
    {
        using var anonymous = new HttpClient { BaseAddress = _loginUrl };
        var ct = TestContext.Current.CancellationToken;

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/", UriKind.Relative), ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/api/resources", UriKind.Relative), ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync(new Uri("/api/resources/voice/commands/resource-stop", UriKind.Relative), null, ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/login?t=wrong", UriKind.Relative), ct)).StatusCode);
        Assert.Equal(KnownResourceStates.Running, _app.ResourceNotifications.GetSnapshot("voice")!.State);
    }

    [Fact]
    public async Task TheLoginUrlSetsAnHttpOnlyCookieAndOpensTheResourcesPage()
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false };
        using var client = new HttpClient(handler);
        var ct = TestContext.Current.CancellationToken;

        var login = await client.GetAsync(_loginUrl, ct);

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/", login.Headers.Location!.OriginalString);
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("jarvis-dashboard=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);

        var page = await client.GetStringAsync(new Uri(_loginUrl, "/"), ct);
        Assert.Contains("<title>Jarvis · Resources</title>", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResourcesListStateHealthAndUrlsWithSecretsMasked()
    {
        using var client = await LoggedInAsync();
        var resources = await client.GetFromJsonAsync<JsonElement>("/api/resources", TestContext.Current.CancellationToken);

        var voice = resources.EnumerateArray().Single(r => r.GetProperty("name").GetString() == "voice");
        Assert.Equal("Running", voice.GetProperty("state").GetString());
        Assert.Equal("Healthy", voice.GetProperty("healthStatus").GetString());
        Assert.Equal(_app.GetEndpoint("voice").ToString().TrimEnd('/'), voice.GetProperty("urls")[0].GetString());
        var key = voice.GetProperty("environment").EnumerateArray().Single(v => v.GetProperty("name").GetString() == "Voice__Key");
        Assert.Equal("******", key.GetProperty("value").GetString());
        Assert.True(key.GetProperty("isSecret").GetBoolean());
        Assert.Contains(resources.EnumerateArray(), r => r.GetProperty("name").GetString() == "voice-key" && r.GetProperty("resourceType").GetString() == "Parameter");
    }

    [Fact]
    public async Task ConsoleLogsAreServedInOrderAfterASequenceNumber()
    {
        using var client = await LoggedInAsync();
        var ct = TestContext.Current.CancellationToken;

        var all = await client.GetFromJsonAsync<JsonElement>("/api/resources/voice/logs", ct);
        Assert.True(all.GetArrayLength() > 0);
        Assert.Contains(all.EnumerateArray(), l => l.GetProperty("text").GetString()!.Contains("Now listening on", StringComparison.Ordinal));
        var sequences = all.EnumerateArray().Select(l => l.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(sequences.Order(), sequences);

        var after = await client.GetFromJsonAsync<JsonElement>($"/api/resources/voice/logs?after={sequences[^1]}", ct);
        Assert.Equal(0, after.GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri("/api/resources/nope/logs", UriKind.Relative), ct)).StatusCode);
        Assert.Contains("<title>Jarvis · Console</title>", await client.GetStringAsync(new Uri("/resources/voice/logs", UriKind.Relative), ct), StringComparison.Ordinal);
        var newest = await client.GetFromJsonAsync<JsonElement>("/api/resources/voice/logs?limit=1", ct);
        Assert.Equal(sequences[^1], Assert.Single(newest.EnumerateArray()).GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task CommandsWithoutTheDashboardHeaderAreRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = _loginUrl };
        (await client.GetAsync(_loginUrl, ct)).EnsureSuccessStatusCode();
        var before = _app.ResourceNotifications.GetSnapshot("voice")!.ProcessId;

        // What a page on another localhost port could send with the cookie: no custom header without a CORS preflight.
        var stop = await client.PostAsync(new Uri("/api/resources/voice/commands/resource-stop", UriKind.Relative), null, ct);

        Assert.Equal(HttpStatusCode.Forbidden, stop.StatusCode);
        Assert.Equal(KnownResourceStates.Running, _app.ResourceNotifications.GetSnapshot("voice")!.State);
        Assert.Equal(before, _app.ResourceNotifications.GetSnapshot("voice")!.ProcessId);
    }

    [Fact]
    public async Task CommandsRestartTheResourceAndRefuseWhatCannotBeDone()
    {
        using var client = await LoggedInAsync();
        var ct = TestContext.Current.CancellationToken;
        var before = _app.ResourceNotifications.GetSnapshot("voice")!.ProcessId;

        var restart = await client.PostAsync(new Uri("/api/resources/voice/commands/resource-restart", UriKind.Relative), null, ct);
        Assert.Equal(HttpStatusCode.OK, restart.StatusCode);
        var healthy = await _app.ResourceNotifications.WaitForResourceHealthyAsync("voice", ct).WaitAsync(TimeSpan.FromSeconds(60), ct);
        Assert.NotEqual(before, healthy.Snapshot.ProcessId);

        var start = await client.PostAsync(new Uri("/api/resources/voice/commands/resource-start", UriKind.Relative), null, ct);
        Assert.Equal(HttpStatusCode.Conflict, start.StatusCode);
        var problem = await start.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Contains("only a stopped resource can be started", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private async Task<HttpClient> LoggedInAsync()
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = _loginUrl };
        client.DefaultRequestHeaders.Add("X-Dashboard-Command", "1");
        (await client.GetAsync(_loginUrl, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        return client;
    }
}
