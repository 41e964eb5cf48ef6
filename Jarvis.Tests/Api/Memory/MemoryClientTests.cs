using System.Net;
using System.Net.Sockets;
using Jarvis.Api.Memory;
using Jarvis.Tests.Memory.Api;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Jarvis.Tests.Api.Memory;

public sealed class MemoryClientTests
{
    [Fact]
    public async Task Remember_recall_and_forget_against_the_real_memory_service()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = new MemoryApiFactory();
        var client = new MemoryClient(api.CreateClient());

        var id = await client.RememberAsync("alice", "my sister lives in Lyon", "fact", 0.9, ct);
        await client.RememberAsync("alice", "I prefer green tea", "preference", cancellationToken: ct);
        await client.RememberAsync("bob", "my sister lives in Paris", cancellationToken: ct);

        var hits = await client.RecallAsync("alice", "where does my sister live", 5, ct);
        Assert.Equal(2, hits.Count);
        Assert.Equal(id, hits[0].Id);
        Assert.Equal("my sister lives in Lyon", hits[0].Text);
        Assert.Equal("fact", hits[0].Kind);
        Assert.InRange(hits[0].Score, 0.0, 1.0);
        Assert.True(hits[0].Relevance > hits[1].Relevance);

        Assert.Empty(await client.ForgetAsync("alice", "something else entirely", cancellationToken: ct));
        var forgotten = Assert.Single(await client.ForgetAsync("alice", "my sister lives in Lyon", cancellationToken: ct));
        Assert.Equal(id, forgotten.Id);
        Assert.DoesNotContain(await client.RecallAsync("alice", "sister", 5, ct), h => h.Id == id);
        Assert.Single(await client.RecallAsync("bob", "sister", 5, ct));
    }

    [Fact]
    public async Task Turns_are_appended_and_read_back_oldest_first()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = new MemoryApiFactory();
        var client = new MemoryClient(api.CreateClient());

        Assert.Equal(1, await client.AppendTurnAsync("alice", "c/1", "user", "hello", ct));
        Assert.Equal(2, await client.AppendTurnAsync("alice", "c/1", "assistant", "Hello! I'm Jarvis.", ct));
        Assert.Equal(3, await client.AppendTurnAsync("alice", "c/1", "user", "bye", ct));

        var turns = await client.GetTurnsAsync("alice", "c/1", 2, ct);
        Assert.Equal([("assistant", "Hello! I'm Jarvis."), ("user", "bye")], turns.Select(t => (t.Role, t.Text)));
        Assert.Equal([2L, 3L], turns.Select(t => t.Sequence));
        Assert.Empty(await client.GetTurnsAsync("bob", "c/1", 20, ct));
    }

    [Fact]
    public async Task A_closed_port_is_memory_unavailable()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var client = new MemoryClient(new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") });

        var exception = await Assert.ThrowsAsync<MemoryUnavailableException>(() => client.RecallAsync("alice", "anything", 5, TestContext.Current.CancellationToken));
        Assert.IsType<HttpRequestException>(exception.InnerException);
        Assert.Null(exception.StatusCode);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task A_5xx_is_memory_unavailable(HttpStatusCode status)
    {
        var client = new MemoryClient(new HttpClient(new StatusHandler(status)) { BaseAddress = new Uri("http://memory") });

        var exception = await Assert.ThrowsAsync<MemoryUnavailableException>(() => client.RememberAsync("alice", "x", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(status, exception.StatusCode);
        Assert.Contains(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_4xx_is_a_plain_http_error_not_unavailability()
    {
        var client = new MemoryClient(new HttpClient(new StatusHandler(HttpStatusCode.BadRequest)) { BaseAddress = new Uri("http://memory") });

        var exception = await Assert.ThrowsAsync<HttpRequestException>(() => client.RememberAsync("alice", "x", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.BadRequest, exception.StatusCode);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_unavailability()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var client = new MemoryClient(new HttpClient(new StatusHandler(HttpStatusCode.OK)) { BaseAddress = new Uri("http://memory") });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.RecallAsync("alice", "x", 5, cts.Token));
    }

    [Theory]
    [InlineData(null, "http://memory/")]
    [InlineData("http://127.0.0.1:5123", "http://127.0.0.1:5123/")]
    public void AddMemoryClient_takes_the_base_address_from_configuration(string? url, string expected)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        if (url is not null)
        {
            builder.Configuration[MemoryClientExtensions.MemoryUrlKey] = url;
        }

        builder.AddMemoryClient();
        using var host = builder.Build();
        var factory = host.Services.GetRequiredService<IHttpClientFactory>();

        Assert.Equal(new Uri(expected), factory.CreateClient(typeof(MemoryClient).Name).BaseAddress);
        Assert.NotNull(host.Services.GetRequiredService<MemoryClient>());
    }

    [Fact]
    public async Task Through_service_discovery_and_resilience_a_dead_service_is_memory_unavailable()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["services:memory:http:0"] = $"http://127.0.0.1:{port}";
        builder.AddServiceDefaults();
        builder.AddMemoryClient();
        using var host = builder.Build();
        var client = host.Services.GetRequiredService<MemoryClient>();

        await Assert.ThrowsAsync<MemoryUnavailableException>(() => client.RecallAsync("alice", "anything", 5, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Through_service_discovery_the_client_reaches_the_memory_service()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = new MemoryApiFactory();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["services:memory:http:0"] = "http://localhost";
        builder.AddServiceDefaults();
        builder.AddMemoryClient().ConfigurePrimaryHttpMessageHandler(() => api.Server.CreateHandler());
        using var host = builder.Build();
        var client = host.Services.GetRequiredService<MemoryClient>();

        await client.RememberAsync("alice", "my sister lives in Lyon", cancellationToken: ct);
        Assert.Equal("my sister lives in Lyon", Assert.Single(await client.RecallAsync("alice", "sister", 5, ct)).Text);
    }

    private sealed class StatusHandler(HttpStatusCode status) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent("{\"title\":\"x\"}") });
        }
    }
}
