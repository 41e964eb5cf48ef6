using System.Globalization;

namespace Jarvis.Hosting.ApplicationModel;

/// <summary>A reference to a resource's endpoint; its URL in run mode, <c>{name.bindings.http.url}</c> in the manifest.</summary>
public sealed class EndpointReference(Resource resource, string endpointName) : IExpressionValue
{
    /// <summary>The resource that owns the endpoint.</summary>
    public Resource Resource { get; } = resource;

    /// <summary>The endpoint name.</summary>
    public string EndpointName { get; } = endpointName;

    /// <summary>The endpoint annotation, or an error naming what is missing.</summary>
    public EndpointAnnotation Endpoint =>
        (Resource as IResourceWithEndpoints)?.Endpoints.FirstOrDefault(e => e.Name == EndpointName)
        ?? throw new InvalidOperationException($"Resource '{Resource.Name}' has no endpoint named '{EndpointName}'.");

    /// <summary>One property of the endpoint, for use inside an expression.</summary>
    public EndpointReferenceExpression Property(EndpointProperty property) => new(this, property);

    /// <inheritdoc />
    public string ValueExpression => Property(EndpointProperty.Url).ValueExpression;

    /// <inheritdoc />
    public IEnumerable<Resource> References => [Resource];

    /// <inheritdoc />
    public ValueTask<string?> GetValueAsync(CancellationToken cancellationToken) => Property(EndpointProperty.Url).GetValueAsync(cancellationToken);
}

/// <summary>One property (URL, host, port) of an endpoint.</summary>
public sealed class EndpointReferenceExpression(EndpointReference endpoint, EndpointProperty property) : IExpressionValue
{
    /// <inheritdoc />
    public string ValueExpression => $"{{{endpoint.Resource.Name}.bindings.{endpoint.EndpointName}.{ExpressionName(property)}}}";

    /// <inheritdoc />
    public IEnumerable<Resource> References => [endpoint.Resource];

    /// <inheritdoc />
    public ValueTask<string?> GetValueAsync(CancellationToken cancellationToken)
    {
        var allocated = endpoint.Endpoint.Allocated
            ?? throw new InvalidOperationException($"The endpoint '{endpoint.EndpointName}' of '{endpoint.Resource.Name}' has not been allocated yet.");
        return ValueTask.FromResult<string?>(property switch
        {
            EndpointProperty.Url => allocated.Url,
            EndpointProperty.Host => allocated.Host,
            EndpointProperty.Port => allocated.Port.ToString(CultureInfo.InvariantCulture),
            _ => allocated.TargetPort.ToString(CultureInfo.InvariantCulture),
        });
    }

    private static string ExpressionName(EndpointProperty property) => property switch
    {
        EndpointProperty.Url => "url",
        EndpointProperty.Host => "host",
        EndpointProperty.Port => "port",
        _ => "targetPort",
    };
}
