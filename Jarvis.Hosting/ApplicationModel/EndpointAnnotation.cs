namespace Jarvis.Hosting.ApplicationModel;

/// <summary>An endpoint a resource listens on, as Aspire's EndpointAnnotation describes it.</summary>
public sealed class EndpointAnnotation(string name, string scheme = "http", string transport = "http", int? port = null, int? targetPort = null)
{
    /// <summary>The endpoint name (<c>http</c>, <c>grpc</c>), used in <c>{resource.bindings.NAME.url}</c>.</summary>
    public string Name { get; } = name;

    /// <summary>The URI scheme: <c>http</c>, <c>https</c>, or <c>tcp</c> for a raw TCP protocol such as Wyoming.</summary>
    public string Scheme { get; } = scheme;

    /// <summary>The transport: <c>http</c>, <c>http2</c> or <c>tcp</c>.</summary>
    public string Transport { get; set; } = transport;

    /// <summary>The network protocol, always <c>tcp</c> here.</summary>
    public string Protocol { get; } = "tcp";

    /// <summary>The host port; null lets run mode choose a free one.</summary>
    public int? Port { get; set; } = port;

    /// <summary>The port the process or container listens on; null means the same as the host port.</summary>
    public int? TargetPort { get; set; } = targetPort;

    /// <summary>True when the endpoint is reachable from outside the deployment (ingress).</summary>
    public bool IsExternal { get; set; }

    /// <summary>Where the endpoint is reachable once run mode has allocated it.</summary>
    public AllocatedEndpoint? Allocated { get; set; }
}

/// <summary>The host and port of an endpoint in run mode.</summary>
public sealed record AllocatedEndpoint(string Scheme, string Host, int Port, int TargetPort)
{
    /// <summary>The endpoint URL, such as <c>http://localhost:5080</c>.</summary>
    public string Url => $"{Scheme}://{Host}:{Port}";
}

/// <summary>A property of an endpoint that an expression can refer to.</summary>
public enum EndpointProperty
{
    /// <summary>The full URL.</summary>
    Url,

    /// <summary>The host name.</summary>
    Host,

    /// <summary>The host port.</summary>
    Port,

    /// <summary>The port the resource listens on.</summary>
    TargetPort,
}
