using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Jarvis.Tests.Infrastructure;

/// <summary>
/// A small web app with the Jarvis service defaults, on a real Kestrel server on a free loopback port. Its console
/// output is replaced by a <see cref="CapturingLoggerProvider"/>, so tests read every log record after scrubbing.
/// </summary>
public sealed class TestService : IAsyncDisposable
{
    private TestService(WebApplication app, CapturingLoggerProvider logs)
    {
        App = app;
        Logs = logs;
    }

    public WebApplication App { get; }

    public CapturingLoggerProvider Logs { get; }

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<TestService> StartAsync(
        CancellationToken cancellationToken,
        Action<WebApplication>? map = null,
        IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null,
        string environment = "Production")
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = environment,
            ApplicationName = "Jarvis.Tests",
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Debug",
            ["Logging:LogLevel:Microsoft"] = "Warning",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddServiceDefaults();
        builder.Services.AddProblemDetails();

        var logs = builder.Logging.CaptureInsteadOfConsole();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        map?.Invoke(app);
        await app.StartAsync(cancellationToken);

        var service = new TestService(app, logs);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        service.BaseAddress = new Uri(address);
        return service;
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
