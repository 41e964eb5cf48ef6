using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Jarvis.Hosting.Dashboard.Apis;
using Jarvis.Hosting.Dashboard.Pages;
using Jarvis.Hosting.Dashboard.Telemetry;
using Jarvis.Hosting.Orchestration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Jarvis.Hosting.Dashboard;

/// <summary>
/// The dashboard's web server, hosted in the app host: a login by browser token (<c>/login?t=…</c> sets a cookie,
/// everything else needs it), the pages (resources, console, telemetry) and the JSON API they poll.
/// </summary>
public sealed partial class DashboardServer(
    IOptions<DashboardOptions> options,
    IOptions<OrchestratorOptions> orchestratorOptions,
    ResourceNotificationService notifications,
    ResourceLoggerService logs,
    ResourceCommandService commands,
    Orchestrator orchestrator,
    TelemetryRepository telemetry,
    DistributedApplicationModel model,
    ILogger<DashboardServer> logger) : IHostedService, IAsyncDisposable
{
    internal const string CookieName = "jarvis-dashboard";
    internal const string CommandHeader = "X-Dashboard-Command";

    private readonly string _token = options.Value.BrowserToken ?? RandomNumberGenerator.GetHexString(32, lowercase: true);
    private WebApplication? _app;

    /// <summary>The URL that logs a browser in; printed on the app host's console. Null when the dashboard is off.</summary>
    public Uri? LoginUrl { get; private set; }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        if (options.Value.UseAspireDashboardContainer)
        {
            // The Aspire dashboard container serves instead (the orchestrator, started before, has allocated its ports).
            LoginUrl = model.Resources.OfType<AspireDashboardResource>().SingleOrDefault()?.LoginUrl;
            return;
        }

        var url = options.Value.Url;
        if (orchestratorOptions.Value.RandomizePorts)
        {
            url = new UriBuilder(url) { Port = EndpointAllocator.FreePort() }.Uri;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url.GetLeftPart(UriPartial.Authority));
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(notifications).AddSingleton(logs).AddSingleton(commands).AddSingleton(orchestrator).AddSingleton(telemetry);
        builder.Services.AddSingleton<DashboardAssets>();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        _app = builder.Build();
        _app.Use(AddSecurityHeaders);
        _app.Use(RequireLoginAsync);
        _app.MapDashboardPages();
        _app.MapResourcesApi();
        _app.MapTelemetryApi();
        try
        {
            await _app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            // The resources matter more than their dashboard: say why there is none and go on.
            LogNotStarted(logger, url, e.Message);
            await _app.DisposeAsync();
            _app = null;
            return;
        }

        LoginUrl = new Uri(url, $"/login?t={_token}");
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

    private async Task RequireLoginAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Path == "/login")
        {
            if (!IsToken(context.Request.Query["t"]))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsync("Wrong or missing token: open the login URL the app host printed.");
                return;
            }

            context.Response.Cookies.Append(CookieName, _token, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
            context.Response.Redirect("/");
            return;
        }

        if (!IsToken(context.Request.Cookies[CookieName]))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsync("Log in with the URL the app host printed: http://…/login?t=<token>.");
            return;
        }

        // The cookie is sent by any page on localhost, whatever its port: a command must come from the dashboard's own
        // script, which sends this header; a cross-origin page cannot without a CORS preflight, which is never granted.
        if (HttpMethods.IsPost(context.Request.Method) && context.Request.Headers[CommandHeader] != "1")
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync($"Commands need the {CommandHeader}: 1 header the dashboard page sends.");
            return;
        }

        await next(context);
    }

    // Only the dashboard's own files may run or style the pages: a log line or attribute that slips into the markup stays text.
    private static Task AddSecurityHeaders(HttpContext context, RequestDelegate next)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        return next(context);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The dashboard could not listen on {Url} ({Reason}); set Dashboard:Url to another port.")]
    private static partial void LogNotStarted(ILogger logger, Uri url, string reason);

    private bool IsToken(string? candidate) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), Encoding.UTF8.GetBytes(_token));
}
