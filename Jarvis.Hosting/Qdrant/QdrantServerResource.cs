using Jarvis.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace Jarvis.Hosting.Qdrant;

/// <summary>
/// A Qdrant vector database container. Its connection string is Aspire's: <c>Endpoint=&lt;gRPC url&gt;;Key=&lt;api key&gt;</c>;
/// the REST endpoint's is <see cref="HttpConnectionStringExpression"/>, injected as <c>ConnectionStrings__NAME_http</c>.
/// </summary>
public sealed class QdrantServerResource(string name, ParameterResource apiKey) : ContainerResource(name, "docker.io/qdrant/qdrant", "v1.16.3"), IResourceWithConnectionString
{
    internal const string GrpcEndpointName = "grpc";
    internal const string HttpEndpointName = "http";

    private string? _existing;
    private string? _existingHttp;

    /// <summary>The API key every request must carry.</summary>
    public ParameterResource ApiKeyParameter { get; } = apiKey;

    /// <inheritdoc />
    public ReferenceExpression ConnectionStringExpression => _existing is not null
        ? ReferenceExpression.Secret(_existing)
        : ReferenceExpression.Create($"Endpoint={new EndpointReference(this, GrpcEndpointName).Property(EndpointProperty.Url)};Key={ApiKeyParameter}");

    /// <summary>The connection string of the REST endpoint (port 6333).</summary>
    public ReferenceExpression HttpConnectionStringExpression => _existingHttp is not null
        ? ReferenceExpression.Secret(_existingHttp)
        : ReferenceExpression.Create($"Endpoint={new EndpointReference(this, HttpEndpointName).Property(EndpointProperty.Url)};Key={ApiKeyParameter}");

    /// <summary>Uses <c>ConnectionStrings:NAME</c> and <c>ConnectionStrings:NAME_http</c> when either is configured.</summary>
    public override ValueTask<string?> UseExistingInstanceAsync(IConfiguration configuration, bool containerEngineAvailable, CancellationToken cancellationToken)
    {
        // Either one alone is enough: each stands in for the other.
        var http = configuration.GetConnectionString($"{Name}_{HttpEndpointName}");
        _existing = configuration.GetConnectionString(Name) ?? http;
        _existingHttp = http ?? _existing;
        return ValueTask.FromResult(_existing is null ? null : $"ConnectionStrings:{Name}");
    }
}
