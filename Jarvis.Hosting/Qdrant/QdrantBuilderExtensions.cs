using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting;

/// <summary>Adds Qdrant to the application model, with the surface of Aspire.Hosting.Qdrant.</summary>
public static class QdrantBuilderExtensions
{
    private const int GrpcPort = 6334;
    private const int HttpPort = 6333;

    /// <summary>The image and tag Aspire.Hosting.Qdrant runs.</summary>
    internal const string Image = "qdrant/qdrant";
    internal const string Tag = "v1.16.3";

    /// <summary>
    /// Adds a Qdrant container: gRPC on 6334 (the primary endpoint), REST on 6333, its API key in
    /// <c>QDRANT__SERVICE__API_KEY</c>, healthy once <c>/readyz</c> answers.
    /// </summary>
    /// <param name="builder">The app host builder.</param>
    /// <param name="name">The resource name, also the connection string name.</param>
    /// <param name="apiKey">The API key; when null a secret parameter <c>{name}-Key</c> is generated and kept in user secrets.</param>
    /// <param name="grpcPort">The host port of the gRPC endpoint; random when null.</param>
    /// <param name="httpPort">The host port of the REST endpoint; random when null.</param>
    public static IResourceBuilder<QdrantServerResource> AddQdrant(
        this IDistributedApplicationBuilder builder,
        string name,
        IResourceBuilder<ParameterResource>? apiKey = null,
        int? grpcPort = null,
        int? httpPort = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);

        var apiKeyParameter = apiKey?.Resource
            ?? ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-Key", special: false);
        var qdrant = new QdrantServerResource(name, apiKeyParameter);

        return builder.AddResource(qdrant)
            .WithImage(Image, Tag)
            .WithImageRegistry("docker.io")
            .WithHttpEndpoint(port: grpcPort, targetPort: GrpcPort, name: QdrantServerResource.PrimaryEndpointName)
            .WithEndpoint(QdrantServerResource.PrimaryEndpointName, endpoint => endpoint.Transport = "http2")
            .WithHttpEndpoint(port: httpPort, targetPort: HttpPort, name: QdrantServerResource.HttpEndpointName)
            .WithEnvironment(context =>
            {
                context.EnvironmentVariables["QDRANT__SERVICE__API_KEY"] = qdrant.ApiKeyParameter;

                // A deployed Qdrant serves no web UI.
                if (builder.ExecutionContext.IsPublishMode)
                {
                    context.EnvironmentVariables["QDRANT__SERVICE__ENABLE_STATIC_CONTENT"] = "0";
                }
            })
            .WithHttpHealthCheck("/readyz", endpointName: QdrantServerResource.HttpEndpointName)
            .WithUrlForEndpoint(QdrantServerResource.HttpEndpointName, url => url.DisplayText = "Qdrant (HTTP)");
    }

    /// <summary>Keeps Qdrant's data in a named volume mounted at <c>/qdrant/storage</c>.</summary>
    public static IResourceBuilder<QdrantServerResource> WithDataVolume(this IResourceBuilder<QdrantServerResource> builder, string? name = null, bool isReadOnly = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithVolume(name ?? VolumeNameGenerator.Generate(builder, "data"), "/qdrant/storage", isReadOnly);
    }

    /// <summary>
    /// References Qdrant: <c>ConnectionStrings__NAME</c> (gRPC) and <c>ConnectionStrings__NAME_http</c> (REST), as
    /// Aspire.Hosting.Qdrant injects them.
    /// </summary>
    public static IResourceBuilder<TDestination> WithReference<TDestination>(this IResourceBuilder<TDestination> builder, IResourceBuilder<QdrantServerResource> qdrant)
        where TDestination : IResourceWithEnvironment
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(qdrant);

        ResourceBuilderExtensions.WithReference(builder, (IResourceBuilder<IResourceWithConnectionString>)qdrant);
        var name = qdrant.Resource.Name;
        return builder.WithEnvironment(context =>
            context.EnvironmentVariables[$"ConnectionStrings__{name}_{QdrantServerResource.HttpEndpointName}"] = qdrant.Resource.HttpConnectionStringExpression);
    }
}
