namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A Qdrant vector database, as Aspire.Hosting.Qdrant models it: gRPC on the primary endpoint, REST on <c>http</c>,
/// connection strings <c>Endpoint=&lt;url&gt;;Key=&lt;api key&gt;</c> for each.
/// </summary>
/// <param name="name">The resource name, which is also the connection string name.</param>
/// <param name="apiKey">The API key every request must carry.</param>
public sealed class QdrantServerResource(string name, ParameterResource apiKey) : ContainerResource(name), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "grpc";
    internal const string HttpEndpointName = "http";

    /// <summary>The parameter that holds the API key.</summary>
    public ParameterResource ApiKeyParameter { get; } = apiKey ?? throw new ArgumentNullException(nameof(apiKey));

    /// <summary>The gRPC endpoint (container port 6334).</summary>
    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);

    /// <summary>The REST endpoint (container port 6333).</summary>
    public EndpointReference HttpEndpoint => field ??= new(this, HttpEndpointName);

    /// <summary>The connection string of the gRPC endpoint: <c>Endpoint=http://host:port;Key=…</c>.</summary>
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Endpoint={PrimaryEndpoint.Property(EndpointProperty.Url)};Key={ApiKeyParameter}");

    /// <summary>The connection string of the REST endpoint, injected as <c>ConnectionStrings__NAME_http</c>.</summary>
    public ReferenceExpression HttpConnectionStringExpression =>
        ReferenceExpression.Create($"Endpoint={HttpEndpoint.Property(EndpointProperty.Url)};Key={ApiKeyParameter}");
}
