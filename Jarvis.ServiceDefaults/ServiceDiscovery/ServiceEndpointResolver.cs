using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;

namespace Jarvis.ServiceDefaults.ServiceDiscovery;

/// <summary>
/// Resolves service names in URLs from configuration the way Microsoft.Extensions.ServiceDiscovery's configuration
/// provider does: <c>http://memory</c> reads <c>services:memory:default</c> or <c>services:memory:http</c>
/// (environment <c>services__memory__http__0</c>); <c>https+http://memory</c> prefers https and falls back to http;
/// <c>http://_grpc.memory</c> reads the endpoint named <c>grpc</c>. Several endpoints are used in turn.
/// </summary>
/// <remarks>
/// A host that is an IP address, <c>localhost</c> or a dotted DNS name is left alone; any other host is a service
/// name and must resolve, or the call fails with an error that names the configuration keys it looked for.
/// </remarks>
public sealed class ServiceEndpointResolver(IConfiguration configuration)
{
    private const string SectionName = "services";
    private const string DefaultEndpointName = "default";

    private readonly ConcurrentDictionary<string, int> _nextIndex = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="uri"/> names a service rather than a host.</summary>
    public static bool IsServiceUri(Uri uri) =>
        uri.Scheme.Contains('+', StringComparison.Ordinal) ||
        (uri.Host.StartsWith('_') && uri.Host.Contains('.', StringComparison.Ordinal)) ||
        (uri.HostNameType == UriHostNameType.Dns && !uri.Host.Contains('.', StringComparison.Ordinal) && !uri.IsLoopback);

    /// <summary>
    /// Returns <paramref name="uri"/> with its service name replaced by a configured endpoint, or unchanged when it
    /// does not name a service.
    /// </summary>
    /// <exception cref="ServiceResolutionException">The service name has no usable configured endpoint.</exception>
    public Uri Resolve(Uri uri)
    {
        if (!uri.IsAbsoluteUri || !IsServiceUri(uri))
        {
            return uri;
        }

        var schemes = uri.Scheme.Split('+');
        var (serviceName, endpointName) = ParseHost(uri.Host);
        var endpoints = FindEndpoints(serviceName, endpointName, schemes, out var keys);
        if (endpoints.Count == 0)
        {
            throw new ServiceResolutionException(serviceName, keys);
        }

        var index = _nextIndex.AddOrUpdate(serviceName, 0, (_, last) => unchecked(last + 1));
        return Rewrite(uri, endpoints[(int)((uint)index % (uint)endpoints.Count)], schemes[0]);
    }

    private List<EndpointValue> FindEndpoints(string serviceName, string? endpointName, string[] schemes, out List<string> keys)
    {
        var service = configuration.GetSection(SectionName).GetSection(serviceName);
        string[] candidates = endpointName is not null ? [endpointName] : [DefaultEndpointName, .. schemes];
        keys = [.. candidates.Select(candidate => $"{SectionName}:{serviceName}:{candidate}")];

        var section = candidates.Select(service.GetSection).FirstOrDefault(s => s.Exists());
        if (section is null)
        {
            return [];
        }

        var values = section.Value is { Length: > 0 } single
            ? [Parse(single, section.Path)]
            : section.GetChildren().Select(child => Parse(child.Value, child.Path)).ToList();

        // Keep the endpoints of the most preferred scheme present; host:port endpoints carry no scheme and always stay.
        var preferred = values
            .Where(v => v.Uri is not null)
            .Select(v => Array.FindIndex(schemes, s => s.Equals(v.Uri!.Scheme, StringComparison.OrdinalIgnoreCase)))
            .Where(i => i >= 0)
            .DefaultIfEmpty(-1)
            .Min();
        return values
            .Where(v => v.Uri is null || (preferred >= 0 && v.Uri.Scheme.Equals(schemes[preferred], StringComparison.OrdinalIgnoreCase)))
            .ToList();
    }

    private static (string ServiceName, string? EndpointName) ParseHost(string host)
    {
        // "_grpc.memory" asks for the endpoint named grpc of service memory.
        if (host.StartsWith('_') && host.IndexOf('.', StringComparison.Ordinal) is var dot and > 1)
        {
            return (host[(dot + 1)..], host[1..dot]);
        }

        return (host, null);
    }

    private static EndpointValue Parse(string? value, string key)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            if (!value.Contains("://", StringComparison.Ordinal) && Uri.TryCreate($"tcp://{value}", UriKind.Absolute, out var hostPort))
            {
                return new EndpointValue(null, hostPort.Host, hostPort.IsDefaultPort ? null : hostPort.Port);
            }

            if (Uri.TryCreate(value, UriKind.Absolute, out var uri))
            {
                return new EndpointValue(uri, uri.Host, uri.IsDefaultPort ? null : uri.Port);
            }
        }

        throw new InvalidOperationException($"Configuration key '{key}' must be a URL such as http://localhost:5000 or a host:port; it is '{value}'.");
    }

    private static Uri Rewrite(Uri original, EndpointValue endpoint, string firstScheme)
    {
        var builder = new UriBuilder(original) { Host = endpoint.Host };
        if (endpoint.Uri is { } target)
        {
            builder.Scheme = target.Scheme;
            builder.Port = target.Port;
            if (target.AbsolutePath.Length > 1)
            {
                builder.Path = $"{target.AbsolutePath.TrimEnd('/')}/{original.AbsolutePath.TrimStart('/')}";
            }
        }
        else
        {
            builder.Scheme = firstScheme;
            builder.Port = endpoint.Port ?? -1;
        }

        return builder.Uri;
    }

    private sealed record EndpointValue(Uri? Uri, string Host, int? Port);
}
