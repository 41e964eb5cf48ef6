using Jarvis.Hosting.ApplicationModel;

namespace Jarvis.Hosting.Dashboard;

/// <summary>
/// The Aspire dashboard container (<c>mcr.microsoft.com/dotnet/aspire-dashboard</c>), chosen with
/// <c>Dashboard:UseAspireDashboardContainer=true</c> in place of the app host's own dashboard: its UI on 18888 with a
/// browser token, OTLP/gRPC on 18889 and OTLP/HTTP on 18890 with an API key. Every service exports to its OTLP/HTTP
/// endpoint. It runs standalone: resources and console logs stay in the app host's console.
/// </summary>
public sealed class AspireDashboardResource(string name, ParameterResource otlpApiKey, ParameterResource browserToken)
    : ContainerResource(name, "mcr.microsoft.com/dotnet/aspire-dashboard", "9.5")
{
    internal const string FrontendEndpointName = "http";
    internal const string OtlpGrpcEndpointName = "otlp-grpc";
    internal const string OtlpHttpEndpointName = "otlp-http";

    /// <summary>The key every OTLP request must carry in <c>x-otlp-api-key</c>.</summary>
    public ParameterResource OtlpApiKey { get; } = otlpApiKey;

    /// <summary>The token of the login URL, <c>/login?t=…</c>.</summary>
    public ParameterResource BrowserToken { get; } = browserToken;

    /// <summary>The OTLP/HTTP endpoint the services export to, once run mode has allocated it.</summary>
    internal Uri? OtlpHttpUrl => Endpoint(OtlpHttpEndpointName);

    /// <summary>The login URL, once run mode has allocated the UI's endpoint.</summary>
    internal Uri? LoginUrl => Endpoint(FrontendEndpointName) is { } ui ? new Uri(ui, $"/login?t={BrowserToken.Value}") : null;

    private Uri? Endpoint(string endpointName) =>
        Endpoints.Single(e => e.Name == endpointName).Allocated is { } allocated ? new Uri(allocated.Url) : null;
}
