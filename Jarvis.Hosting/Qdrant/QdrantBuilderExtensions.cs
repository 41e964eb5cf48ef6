using Jarvis.Hosting.ApplicationModel;
using Jarvis.Hosting.Qdrant;

namespace Jarvis.Hosting;

/// <summary>Adds Qdrant, following Aspire.Hosting.Qdrant.</summary>
public static class QdrantBuilderExtensions
{
    private const int GrpcPort = 6334;
    private const int HttpPort = 6333;

    /// <summary>
    /// Adds a Qdrant container (gRPC on 6334, REST on 6333) whose API key is the parameter <c>NAME-Key</c>, generated
    /// unless configured. When no container can run, <c>ConnectionStrings:NAME</c> in the app host's configuration points
    /// at an existing server instead.
    /// </summary>
    public static IResourceBuilder<QdrantServerResource> AddQdrant(this DistributedApplicationBuilder builder, string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var apiKey = builder.AddGeneratedSecret($"{name}-Key");
        var qdrant = new QdrantServerResource(name, apiKey)
        {
            UnavailableImpact = "Memory keeps memories in its embedded store on local disk instead.",
        };
        qdrant.Endpoints.Add(new EndpointAnnotation(QdrantServerResource.GrpcEndpointName, transport: "http2", targetPort: GrpcPort));
        qdrant.Endpoints.Add(new EndpointAnnotation(QdrantServerResource.HttpEndpointName, targetPort: HttpPort));

        return builder.AddResource(qdrant)
            .WithEnvironment(context =>
            {
                context.EnvironmentVariables["QDRANT__SERVICE__API_KEY"] = apiKey;

                // A deployed Qdrant serves no web UI.
                if (context.ExecutionContext.IsPublishMode)
                {
                    context.EnvironmentVariables["QDRANT__SERVICE__ENABLE_STATIC_CONTENT"] = "0";
                }
            })
            .WithHttpHealthCheck("/readyz", QdrantServerResource.HttpEndpointName);
    }

    /// <summary>Keeps Qdrant's data in a named volume mounted at <c>/qdrant/storage</c>.</summary>
    public static IResourceBuilder<QdrantServerResource> WithDataVolume(this IResourceBuilder<QdrantServerResource> builder, string? name = null, bool isReadOnly = false) =>
        builder.WithVolume(name ?? ContainerResourceBuilderExtensions.VolumeName(builder, "data"), "/qdrant/storage", isReadOnly);

    /// <summary>
    /// Injects <c>ConnectionStrings__NAME</c> (gRPC) and <c>ConnectionStrings__NAME_http</c> (REST), as Aspire does.
    /// </summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<QdrantServerResource> qdrant)
        where T : Resource, IResourceWithEnvironment
    {
        var resource = qdrant.Resource;
        return builder.WithEnvironment(context =>
        {
            // The expressions themselves, as Aspire writes them: Endpoint={qdrant.bindings.grpc.url};Key={qdrant-Key.value}.
            context.EnvironmentVariables[$"ConnectionStrings__{resource.Name}"] = resource.ConnectionStringExpression;
            context.EnvironmentVariables[$"ConnectionStrings__{resource.Name}_{QdrantServerResource.HttpEndpointName}"] = resource.HttpConnectionStringExpression;
        });
    }
}
