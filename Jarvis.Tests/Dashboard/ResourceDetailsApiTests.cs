using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Jarvis.Hosting;
using Jarvis.Hosting.Dashboard;
using Jarvis.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Jarvis.Tests.Dashboard;

/// <summary>What the dashboard says about a resource beyond its state, its secrets' reveal, its versioned answers and its pages.</summary>
public sealed class ResourceDetailsApiTests(VoiceDashboardFixture fixture) : IClassFixture<VoiceDashboardFixture>
{
    [Fact]
    public async Task AResourceShowsItsSourceEndpointsHealthChecksAndReferences()
    {
        using var client = await fixture.LoggedInAsync();
        var voice = await client.GetFromJsonAsync<JsonElement>("/api/resources/voice", TestContext.Current.CancellationToken);

        Assert.EndsWith("Jarvis.Voice.csproj", voice.GetProperty("source").GetString(), StringComparison.Ordinal);
        var endpoint = Assert.Single(voice.GetProperty("endpoints").EnumerateArray());
        Assert.Equal("http", endpoint.GetProperty("name").GetString());
        Assert.Equal(fixture.App.GetEndpoint("voice").ToString().TrimEnd('/'), endpoint.GetProperty("url").GetString());
        var check = Assert.Single(voice.GetProperty("healthReports").EnumerateArray());
        Assert.Equal("Healthy", check.GetProperty("status").GetString());
        Assert.Equal("GET /health answered 200", check.GetProperty("description").GetString());
        var reference = Assert.Single(voice.GetProperty("relationships").EnumerateArray());
        Assert.Equal(("voice-key", "Reference"), (reference.GetProperty("name").GetString(), reference.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task ASecretIsOnlyInTheAnswerToAnExplicitReveal()
    {
        using var client = await fixture.LoggedInAsync();
        var ct = TestContext.Current.CancellationToken;

        Assert.DoesNotContain(VoiceDashboardFixture.VoiceKey, await client.GetStringAsync(new Uri("/api/resources", UriKind.Relative), ct), StringComparison.Ordinal);
        Assert.DoesNotContain(VoiceDashboardFixture.VoiceKey, await client.GetStringAsync(new Uri("/api/resources/voice", UriKind.Relative), ct), StringComparison.Ordinal);
        var reveal = await client.PostAsync(new Uri("/api/resources/voice/environment/Voice__Key/reveal", UriKind.Relative), null, ct);
        Assert.Equal(VoiceDashboardFixture.VoiceKey, (await reveal.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("value").GetString());

        using var withoutHeader = await fixture.LoggedInAsync(commandHeader: false);
        var forbidden = await withoutHeader.PostAsync(new Uri("/api/resources/voice/environment/Voice__Key/reveal", UriKind.Relative), null, ct);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        var missing = await client.PostAsync(new Uri("/api/resources/voice/environment/Nope/reveal", UriKind.Relative), null, ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task AnUnchangedResourceListAnswersNotModified()
    {
        using var client = await fixture.LoggedInAsync();
        var ct = TestContext.Current.CancellationToken;
        var first = await client.GetAsync(new Uri("/api/resources", UriKind.Relative), ct);
        var etag = first.Headers.ETag!;

        using var again = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/resources", UriKind.Relative));
        again.Headers.IfNoneMatch.Add(etag);
        var second = await client.SendAsync(again, ct);

        // A health check may land in between; then the answer is a newer version, never the same one again.
        Assert.True(second.StatusCode == HttpStatusCode.NotModified || second.Headers.ETag != etag, $"{second.StatusCode} {second.Headers.ETag}");
    }

    [Fact]
    public async Task PagesShareTheLayoutAndForbidInlineScript()
    {
        using var client = await fixture.LoggedInAsync();
        var ct = TestContext.Current.CancellationToken;

        foreach (var (path, title) in new[] { ("/", "Resources"), ("/resources/voice", "Resource"), ("/consolelogs", "Console"), ("/structuredlogs", "Structured logs"), ("/traces", "Traces"), ("/metrics", "Metrics"), ("/genai", "GenAI") })
        {
            var page = await client.GetAsync(new Uri(path, UriKind.Relative), ct);
            var html = await page.Content.ReadAsStringAsync(ct);
            Assert.Contains($"<title>Jarvis · {title}</title>", html, StringComparison.Ordinal);
            Assert.Contains("<script src=\"/assets/dashboard.js\"></script>", html, StringComparison.Ordinal);
            Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }

        Assert.Equal("text/javascript", (await client.GetAsync(new Uri("/assets/dashboard.js", UriKind.Relative), ct)).Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri("/assets/layout.html", UriKind.Relative), ct)).StatusCode);
    }
}

/// <summary>The voice service with a secret parameter in its environment, behind the dashboard; read-only tests share it.</summary>
public sealed class VoiceDashboardFixture : IAsyncLifetime
{
    public const string VoiceKey = "voice-key-value-for-the-dashboard-tests";

    public DistributedApplication App { get; private set; } = null!;

    private Uri LoginUrl { get; set; } = null!;

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var builder = DistributedApplicationTestingBuilder.Create();
        builder.Configuration["Parameters:voice-key"] = VoiceKey;
        var key = builder.ApplicationBuilder.AddParameter("voice-key", secret: true);
        builder.ApplicationBuilder.AddProject<Projects.Jarvis_Voice>("voice").WithEnvironment("Voice__Key", key).WithHttpHealthCheck("/health");
        App = await builder.BuildAsync(timeout.Token);
        await App.StartAsync(timeout.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync("voice", timeout.Token);
        LoginUrl = App.Services.GetRequiredService<DashboardServer>().LoginUrl ?? throw new InvalidOperationException("The dashboard did not start.");
    }

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }
    }

    /// <summary>A client with the login cookie and, unless told otherwise, the header of the dashboard's own commands.</summary>
    public async Task<HttpClient> LoggedInAsync(bool commandHeader = true)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = LoginUrl };
        if (commandHeader)
        {
            client.DefaultRequestHeaders.Add("X-Dashboard-Command", "1");
        }

        (await client.GetAsync(LoginUrl, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        return client;
    }
}
