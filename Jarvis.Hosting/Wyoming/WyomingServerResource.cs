namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A Wyoming voice server container (wyoming-faster-whisper, wyoming-piper): one TCP endpoint, connection string
/// <c>Endpoint=tcp://host:port</c>.
/// </summary>
/// <param name="name">The resource name, also the connection string name.</param>
public sealed class WyomingServerResource(string name) : ContainerResource(name), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";

    /// <summary>The Wyoming TCP endpoint.</summary>
    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);

    /// <inheritdoc />
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Endpoint={PrimaryEndpoint.Property(EndpointProperty.Url)}");
}
