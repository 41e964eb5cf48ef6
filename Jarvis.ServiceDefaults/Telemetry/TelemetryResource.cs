using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Resources;

namespace Jarvis.ServiceDefaults.Telemetry;

/// <summary>The OpenTelemetry resource: <c>OTEL_SERVICE_NAME</c> and <c>OTEL_RESOURCE_ATTRIBUTES</c>, read from configuration.</summary>
internal static class TelemetryResource
{
    public const string ServiceNameKey = "OTEL_SERVICE_NAME";
    public const string ResourceAttributesKey = "OTEL_RESOURCE_ATTRIBUTES";

    /// <summary>The service name: <c>OTEL_SERVICE_NAME</c>, falling back to the application name.</summary>
    public static string ServiceName(IConfiguration configuration, IHostEnvironment environment) =>
        configuration[ServiceNameKey] is { Length: > 0 } name ? name : environment.ApplicationName;

    /// <summary>
    /// Replaces the SDK's default resource with ours: the service, its instance id (Aspire sends one per replica), the
    /// other attributes percent-decoded as the specification says, and the
    /// environment.
    /// </summary>
    public static ResourceBuilder Configure(ResourceBuilder resource, IConfiguration configuration, IHostEnvironment environment)
    {
        var attributes = ParseAttributes(configuration[ResourceAttributesKey]);
        attributes.Remove("service.name", out _);
        attributes.Remove("service.instance.id", out var instanceId);

        return resource.Clear()
            .AddService(
                ServiceName(configuration, environment),
                serviceInstanceId: instanceId as string,
                autoGenerateServiceInstanceId: instanceId is null)
            .AddAttributes(attributes)
            .AddAttributes([new("deployment.environment.name", environment.EnvironmentName)])
            .AddTelemetrySdk();
    }

    /// <summary>Parses <c>key1=value1,key2=value2</c> (values percent-encoded) as the OpenTelemetry specification defines it.</summary>
    public static Dictionary<string, object> ParseAttributes(string? text)
    {
        var attributes = new Dictionary<string, object>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
        {
            return attributes;
        }

        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var separator = pair.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                continue;
            }

            attributes[pair[..separator].Trim()] = WebUtility.UrlDecode(pair[(separator + 1)..].Trim());
        }

        return attributes;
    }
}
