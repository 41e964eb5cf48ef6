using Jarvis.Hosting.ApplicationModel;

namespace Jarvis.Hosting;

/// <summary>The builder calls every resource type shares: references, environment, endpoints, waits, health checks.</summary>
public static class ResourceBuilderExtensions
{
    /// <summary>Sets an environment variable to a fixed value.</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, string value) where T : Resource, IResourceWithEnvironment =>
        builder.WithEnvironment(context => context.EnvironmentVariables[name] = value);

    /// <summary>Sets an environment variable to a value known at run time (an endpoint, an expression).</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, IExpressionValue value) where T : Resource, IResourceWithEnvironment =>
        builder.WithEnvironment(context => context.EnvironmentVariables[name] = value);

    /// <summary>Sets an environment variable to a parameter's value (<c>{name.value}</c> in the manifest).</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, IResourceBuilder<ParameterResource> parameter) where T : Resource, IResourceWithEnvironment =>
        builder.WithEnvironment(name, (IExpressionValue)parameter.Resource);

    /// <summary>Adds environment variables from a callback, evaluated at start or when publishing.</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, Action<EnvironmentContext> callback) where T : Resource, IResourceWithEnvironment
    {
        builder.Resource.EnvironmentCallbacks.Add(callback);
        return builder;
    }

    /// <summary>Adds command-line arguments.</summary>
    public static IResourceBuilder<T> WithArgs<T>(this IResourceBuilder<T> builder, params string[] args) where T : Resource, IResourceWithEnvironment
    {
        builder.Resource.Args.AddRange(args);
        return builder;
    }

    /// <summary>
    /// Lets this resource call <paramref name="source"/> by name: injects <c>services__NAME__ENDPOINT__0</c> and
    /// <c>NAME_ENDPOINT</c> for each of its endpoints, which service discovery resolves <c>http://NAME</c> with.
    /// </summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithServiceDiscovery> source)
        where T : Resource, IResourceWithEnvironment
    {
        var resource = (Resource)source.Resource;
        return builder.WithEnvironment(context =>
        {
            foreach (var endpoint in source.Resource.Endpoints)
            {
                var url = new EndpointReference(resource, endpoint.Name).Property(EndpointProperty.Url);
                context.EnvironmentVariables[$"services__{resource.Name}__{endpoint.Name}__0"] = url;
                context.EnvironmentVariables[$"{EnvironmentName(resource.Name)}_{EnvironmentName(endpoint.Name)}"] = url;
            }
        });
    }

    /// <summary>Injects <c>ConnectionStrings__NAME</c> with the resource's connection string (a model, an existing service).</summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithConnectionString> source)
        where T : Resource, IResourceWithEnvironment
    {
        var resource = source.Resource;
        return builder.WithEnvironment(context => context.EnvironmentVariables[$"ConnectionStrings__{resource.Name}"] = new ConnectionStringReference(resource));
    }

    /// <summary>Adds an HTTP endpoint; <paramref name="port"/> null lets run mode choose a free one.</summary>
    public static IResourceBuilder<T> WithHttpEndpoint<T>(this IResourceBuilder<T> builder, int? port = null, int? targetPort = null, string name = "http")
        where T : Resource, IResourceWithEndpoints
    {
        if (builder.Resource.Endpoints.Any(e => e.Name == name))
        {
            throw new InvalidOperationException($"Resource '{builder.Resource.Name}' already has an endpoint named '{name}'.");
        }

        builder.Resource.Endpoints.Add(new EndpointAnnotation(name, port: port, targetPort: targetPort));
        return builder;
    }

    /// <summary>Marks the HTTP endpoints as reachable from outside the deployment (<c>"external": true</c>).</summary>
    public static IResourceBuilder<T> WithExternalHttpEndpoints<T>(this IResourceBuilder<T> builder) where T : Resource, IResourceWithEndpoints
    {
        foreach (var endpoint in builder.Resource.Endpoints.Where(e => e.Scheme is "http" or "https"))
        {
            endpoint.IsExternal = true;
        }

        return builder;
    }

    /// <summary>A reference to one of the resource's endpoints, for expressions and <c>WithEnvironment</c>.</summary>
    public static EndpointReference GetEndpoint<T>(this IResourceBuilder<T> builder, string name) where T : Resource, IResourceWithEndpoints =>
        new(builder.Resource, name);

    /// <summary>Starts this resource only once <paramref name="dependency"/> is Running and Healthy; fails it if the dependency fails.</summary>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<Resource> dependency) where T : Resource =>
        builder.AddWait(dependency.Resource, WaitType.UntilHealthy);

    /// <summary>Starts this resource only once <paramref name="dependency"/> has exited with code 0 (a migration, a seed step).</summary>
    public static IResourceBuilder<T> WaitForCompletion<T>(this IResourceBuilder<T> builder, IResourceBuilder<Resource> dependency) where T : Resource =>
        builder.AddWait(dependency.Resource, WaitType.UntilCompleted);

    /// <summary>Adds a health check: GET <paramref name="path"/> on the endpoint must answer 2xx for the resource to be Healthy.</summary>
    public static IResourceBuilder<T> WithHttpHealthCheck<T>(this IResourceBuilder<T> builder, string path = "/health", string endpointName = "http")
        where T : Resource, IResourceWithEndpoints
    {
        if (builder.Resource.Endpoints.All(e => e.Name != endpointName))
        {
            throw new InvalidOperationException($"Resource '{builder.Resource.Name}' has no endpoint named '{endpointName}' to health-check.");
        }

        builder.Resource.HealthChecks.Add(new HttpHealthCheckAnnotation(path, endpointName));
        return builder;
    }

    /// <summary>Leaves the resource out of the manifest (a development-only tool).</summary>
    public static IResourceBuilder<T> ExcludeFromManifest<T>(this IResourceBuilder<T> builder) where T : Resource
    {
        builder.Resource.IsExcludedFromManifest = true;
        return builder;
    }

    /// <summary>The form of a name used in <c>NAME_HTTP</c> variables: upper case, <c>-</c> as <c>_</c>.</summary>
    internal static string EnvironmentName(string name) => name.ToUpperInvariant().Replace('-', '_');

    private static IResourceBuilder<T> AddWait<T>(this IResourceBuilder<T> builder, Resource dependency, WaitType type) where T : Resource
    {
        if (ReferenceEquals(dependency, builder.Resource))
        {
            throw new InvalidOperationException($"Resource '{builder.Resource.Name}' cannot wait for itself.");
        }

        builder.Resource.Waits.Add(new WaitAnnotation(dependency, type));
        return builder;
    }
}
