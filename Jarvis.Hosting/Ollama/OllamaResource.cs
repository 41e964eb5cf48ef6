namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// An Ollama server container (port 11434), as CommunityToolkit.Aspire.Hosting.Ollama models it: connection string
/// <c>Endpoint=http://host:port</c>, models added with <c>AddModel</c>.
/// </summary>
/// <param name="name">The resource name, also the connection string name.</param>
public sealed class OllamaResource(string name) : ContainerResource(name), IResourceWithConnectionString
{
    internal const string OllamaEndpointName = "http";

    private readonly List<string> _models = [];

    /// <summary>The models pulled once the server is healthy.</summary>
    public IReadOnlyList<string> Models => _models;

    /// <summary>The HTTP endpoint.</summary>
    public EndpointReference PrimaryEndpoint => field ??= new(this, OllamaEndpointName);

    /// <inheritdoc />
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Endpoint={PrimaryEndpoint.Property(EndpointProperty.Url)}");

    /// <summary>Records a model to pull; a model added twice is pulled once.</summary>
    public void AddModel(string modelName)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        if (!_models.Contains(modelName))
        {
            _models.Add(modelName);
        }
    }
}
