using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Jarvis.ServiceDefaults.Metrics;

/// <summary>
/// <c>/metrics</c> in the Prometheus text format, from OpenTelemetry's Prometheus exporter: every meter the service
/// exports over OTLP. It needs no API key, and answers only scrapers in <see cref="PrometheusOptions.AllowedNetworks"/>.
/// </summary>
internal static class PrometheusEndpoint
{
    public const string Path = "/metrics";

    /// <summary>Whether <c>Metrics:Prometheus:Enabled</c> is on (the default).</summary>
    public static bool IsEnabled(IHostApplicationBuilder builder) =>
        builder.Configuration.GetValue($"{PrometheusOptions.SectionName}:{nameof(PrometheusOptions.Enabled)}", true);

    public static void AddPrometheusOptions(this IHostApplicationBuilder builder) =>
        builder.Services.AddOptions<PrometheusOptions>()
            .BindConfiguration(PrometheusOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

    public static void MapPrometheusEndpoint(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<PrometheusOptions>>().Value;
        if (!options.Enabled)
        {
            return;
        }

        var networks = options.Networks;
        app.MapPrometheusScrapingEndpoint(Path, meterProvider: null, configureBranchedPipeline: branch => branch.Use(async (context, next) =>
        {
            if (!IsAllowed(context.Connection.RemoteIpAddress, networks))
            {
                await RefuseAsync(context);
                return;
            }

            await next(context);
        }), optionsName: null)
            .WithDisplayName("Prometheus scraping endpoint")
            .AllowAnonymous();
    }

    internal static bool IsAllowed(IPAddress? address, IReadOnlyList<IPNetwork> networks)
    {
        if (address is null)
        {
            return false;
        }

        var normalized = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return networks.Any(network => network.Contains(normalized));
    }

    private static async Task RefuseAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status403Forbidden,
            Title = "Forbidden",
            Detail = $"Metrics are served only to the networks in {PrometheusOptions.SectionName}:AllowedNetworks.",
        };

        if (context.RequestServices.GetService<IProblemDetailsService>() is { } problems
            && await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }))
        {
            return;
        }

        await context.Response.WriteAsJsonAsync(problem, options: null, contentType: "application/problem+json");
    }
}
