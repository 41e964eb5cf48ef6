namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A model on an Ollama server. It is Running and healthy once the server has it; its connection string is the
/// server's with <c>;Model=NAME</c>, so a service needs one connection string for both.
/// </summary>
/// <param name="name">The resource name, also the connection string name.</param>
/// <param name="modelName">The model as Ollama names it, such as <c>llama3.2:1b</c>.</param>
/// <param name="parent">The server the model runs on.</param>
public sealed class OllamaModelResource(string name, string modelName, OllamaResource parent)
    : Resource(name), IResourceWithParent<OllamaResource>, IResourceWithConnectionString
{
    /// <summary>The server the model runs on.</summary>
    public OllamaResource Parent { get; } = parent ?? throw new ArgumentNullException(nameof(parent));

    /// <summary>The model as Ollama names it.</summary>
    public string ModelName { get; } = string.IsNullOrWhiteSpace(modelName) ? throw new ArgumentException("A model name is required.", nameof(modelName)) : modelName;

    /// <inheritdoc />
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Parent};Model={ModelName}");
}
