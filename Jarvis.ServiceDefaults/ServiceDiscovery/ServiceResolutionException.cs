namespace Jarvis.ServiceDefaults.ServiceDiscovery;

/// <summary>A service name in a URL had no usable endpoint in configuration.</summary>
public sealed class ServiceResolutionException(string serviceName, IReadOnlyList<string> keys)
    : InvalidOperationException(
        $"Service '{serviceName}' could not be resolved: configuration has no endpoint under {string.Join(" or ", keys.Select(k => $"'{k}'"))}. " +
        $"Set for example the environment variable '{keys[^1].Replace(":", "__", StringComparison.Ordinal)}__0' to its URL.")
{
    /// <summary>The service name that was looked up.</summary>
    public string ServiceName { get; } = serviceName;

    /// <summary>The configuration keys that were looked for, in order.</summary>
    public IReadOnlyList<string> Keys { get; } = keys;
}
