using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Jarvis.Tests.ServiceDefaults;

/// <summary>
/// Every client from IHttpClientFactory resolves Aspire's service names through Microsoft.Extensions.ServiceDiscovery:
/// the address a request is finally sent to, as the primary handler sees it.
/// </summary>
public sealed class ServiceDiscoveryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AServiceNameResolvesFromServicesNameHttp0()
    {
        var sent = await SendAsync("http://memory/api/memories?userId=alice", new() { ["services:memory:http:0"] = "http://127.0.0.1:8080" });

        Assert.Equal(new Uri("http://127.0.0.1:8080/api/memories?userId=alice"), sent);
    }

    [Fact]
    public async Task HttpsPlusHttpPrefersHttpsWhenBothAreConfigured()
    {
        var sent = await SendAsync("https+http://voice/api/voices", new()
        {
            ["services:voice:http:0"] = "http://127.0.0.1:8080",
            ["services:voice:https:0"] = "https://127.0.0.1:8443",
        });

        Assert.Equal(new Uri("https://127.0.0.1:8443/api/voices"), sent);
    }

    [Fact]
    public async Task HttpsPlusHttpFallsBackToHttpWhenOnlyHttpIsConfigured()
    {
        var sent = await SendAsync("https+http://voice/api/voices", new() { ["services:voice:http:0"] = "http://127.0.0.1:8080" });

        Assert.Equal(new Uri("http://127.0.0.1:8080/api/voices"), sent);
    }

    [Fact]
    public async Task AHostThatIsNoConfiguredServicePassesThroughUnchanged()
    {
        var sent = await SendAsync("http://127.0.0.1:5999/items", []);

        Assert.Equal(new Uri("http://127.0.0.1:5999/items"), sent);
    }

    /// <summary>Sends a GET through a client with the service defaults and returns the URI the primary handler got.</summary>
    private static async Task<Uri> SendAsync(string url, Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        var primary = new RecordingHandler();
        builder.Services.AddHttpClient("discovery-test").ConfigurePrimaryHttpMessageHandler(() => primary);
        using var host = builder.Build();

        using var client = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("discovery-test");
        using var response = await client.GetAsync(new Uri(url), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Assert.Single(primary.Requests);
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public List<Uri> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request.RequestUri!);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }
}
