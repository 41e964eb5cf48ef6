using System.Security.Cryptography;
using Jarvis.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace Jarvis.Hosting.Dashboard;

/// <summary>Adds the Aspire dashboard container when the configuration asks for it.</summary>
internal static class AspireDashboardBuilderExtensions
{
    internal const string ResourceName = "aspire-dashboard";

    /// <summary>
    /// In run mode with <c>Dashboard:UseAspireDashboardContainer=true</c>, adds <see cref="AspireDashboardResource"/>
    /// on Aspire's ports, configured as Aspire configures it (API-key OTLP, browser-token front end). The key and token are
    /// <c>Dashboard:OtlpApiKey</c> and <c>Dashboard:BrowserToken</c> when set, else new random ones each run. Dashboards
    /// are a development tool: it is not written to the manifest.
    /// </summary>
    public static void AddAspireDashboardIfConfigured(this DistributedApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("Dashboard");
        if (builder.ExecutionContext.IsPublishMode || !section.GetValue<bool>(nameof(DashboardOptions.UseAspireDashboardContainer)))
        {
            return;
        }

        var apiKey = Secret("aspire-dashboard-otlp-api-key", section[nameof(DashboardOptions.OtlpApiKey)]);
        var token = Secret("aspire-dashboard-browser-token", section[nameof(DashboardOptions.BrowserToken)]);
        var dashboard = new AspireDashboardResource(ResourceName, apiKey, token)
        {
            UnavailableImpact = "No dashboard collects telemetry: unset Dashboard:UseAspireDashboardContainer to use the app host's own.",
        };
        dashboard.Endpoints.Add(new EndpointAnnotation(AspireDashboardResource.FrontendEndpointName, port: 18888, targetPort: 18888));
        dashboard.Endpoints.Add(new EndpointAnnotation(AspireDashboardResource.OtlpGrpcEndpointName, transport: "http2", port: 18889, targetPort: 18889));
        dashboard.Endpoints.Add(new EndpointAnnotation(AspireDashboardResource.OtlpHttpEndpointName, port: 18890, targetPort: 18890));
        builder.AddResource(dashboard)
            .WithEnvironment("ASPNETCORE_URLS", "http://+:18888")
            .WithEnvironment("DOTNET_DASHBOARD_OTLP_ENDPOINT_URL", "http://+:18889")
            .WithEnvironment("DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL", "http://+:18890")
            .WithEnvironment("DASHBOARD__OTLP__AUTHMODE", "ApiKey")
            .WithEnvironment("DASHBOARD__OTLP__PRIMARYAPIKEY", apiKey)
            .WithEnvironment("DASHBOARD__FRONTEND__AUTHMODE", "BrowserToken")
            .WithEnvironment("DASHBOARD__FRONTEND__BROWSERTOKEN", token)
            .ExcludeFromManifest();

        static ParameterResource Secret(string name, string? configured) =>
            new(name, secret: true) { Value = string.IsNullOrEmpty(configured) ? RandomNumberGenerator.GetHexString(32, lowercase: true) : configured };
    }
}
