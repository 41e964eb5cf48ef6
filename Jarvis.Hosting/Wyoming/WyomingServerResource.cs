using Jarvis.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace Jarvis.Hosting.Wyoming;

/// <summary>
/// A Wyoming voice server container (wyoming-faster-whisper, wyoming-piper): one TCP endpoint, connection string
/// <c>Endpoint=tcp://host:port</c>.
/// </summary>
public sealed class WyomingServerResource(string name, string image, string tag) : ContainerResource(name, image, tag), IResourceWithConnectionString
{
    internal const string TcpEndpointName = "tcp";

    private string? _existing;

    /// <inheritdoc />
    public ReferenceExpression ConnectionStringExpression => _existing is not null
        ? ReferenceExpression.Secret(_existing)
        : ReferenceExpression.Create($"Endpoint={new EndpointReference(this, TcpEndpointName).Property(EndpointProperty.Url)}");

    /// <summary>Uses <c>ConnectionStrings:NAME</c> (<c>Endpoint=tcp://host:port</c>) when configured.</summary>
    public override ValueTask<string?> UseExistingInstanceAsync(IConfiguration configuration, bool containerEngineAvailable, CancellationToken cancellationToken)
    {
        _existing = configuration.GetConnectionString(Name);
        return ValueTask.FromResult(_existing is null ? null : $"ConnectionStrings:{Name}");
    }
}
