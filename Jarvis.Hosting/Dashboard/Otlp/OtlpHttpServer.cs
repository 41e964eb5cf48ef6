using System.Security.Cryptography;
using Jarvis.Hosting.Dashboard.Telemetry;
using Jarvis.Hosting.Orchestration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Jarvis.Hosting.Dashboard.Otlp;

/// <summary>
/// The dashboard's OTLP/HTTP receiver (<c>POST /v1/traces</c>, <c>/v1/logs</c>, <c>/v1/metrics</c>, protobuf bodies),
/// on <c>Dashboard:OtlpHttpUrl</c>; every request needs the <c>x-otlp-api-key</c> header. It starts before the
/// orchestrator, which tells every service its <see cref="Endpoint"/> and <see cref="ApiKey"/>.
/// </summary>
public sealed partial class OtlpHttpServer(
    IOptions<DashboardOptions> options,
    IOptions<OrchestratorOptions> orchestratorOptions,
    TelemetryRepository repository,
    ILogger<OtlpHttpServer> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The key requests must carry: <c>Dashboard:OtlpApiKey</c>, <c>AppHost:OtlpApiKey</c>, or a new random one each run.</summary>
    public string ApiKey { get; } = options.Value.OtlpApiKey ?? orchestratorOptions.Value.OtlpApiKey ?? RandomNumberGenerator.GetHexString(32, lowercase: true);

    /// <summary>The receiver's base URL once it listens (the exporters append <c>/v1/…</c>); null when it does not.</summary>
    public Uri? Endpoint { get; private set; }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.ServesOwnDashboard)
        {
            return;
        }

        var url = settings.OtlpHttpUrl;
        if (orchestratorOptions.Value.RandomizePorts && url.Port != 0)
        {
            url = new UriBuilder(url) { Port = EndpointAllocator.FreePort() }.Uri;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url.GetLeftPart(UriPartial.Authority));

        // The handler enforces the cap itself (with a 413 the exporter understands), gzip-inflated bodies included.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);
        builder.Logging.ClearProviders();
        _app = builder.Build();
        var handler = new OtlpHttpHandler(repository, ApiKey, settings.OtlpMaxRequestBodySize, logger);
        _app.MapPost("/v1/traces", handler.HandleTracesAsync);
        _app.MapPost("/v1/logs", handler.HandleLogsAsync);
        _app.MapPost("/v1/metrics", handler.HandleMetricsAsync);
        try
        {
            await _app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            // Without a receiver the services run as well, only unobserved: say why and go on.
            LogNotStarted(logger, url, e.Message);
            await _app.DisposeAsync();
            _app = null;
            return;
        }

        // The address Kestrel bound: the real port when the configured one was 0.
        var bound = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Endpoint = new UriBuilder(bound) { Host = url.Host }.Uri;
        LogListening(logger, Endpoint);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The dashboard's OTLP receiver could not listen on {Url} ({Reason}); set Dashboard:OtlpHttpUrl to another port.")]
    private static partial void LogNotStarted(ILogger logger, Uri url, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The dashboard's OTLP/HTTP receiver listens on {Url}.")]
    private static partial void LogListening(ILogger logger, Uri url);
}
