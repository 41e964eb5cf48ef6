using Jarvis.Hosting.ApplicationModel;
using Jarvis.Hosting.Ollama;

namespace Jarvis.Hosting;

/// <summary>Adds Ollama and its models, following CommunityToolkit.Aspire.Hosting.Ollama.</summary>
public static class OllamaBuilderExtensions
{
    private const int OllamaPort = 11434;

    /// <summary>
    /// Adds an Ollama server container. When no container can run, <c>ConnectionStrings:NAME</c> or a server already
    /// answering on <c>http://localhost:11434</c> is used instead.
    /// </summary>
    public static IResourceBuilder<OllamaResource> AddOllama(this DistributedApplicationBuilder builder, string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var ollama = new OllamaResource(name)
        {
            UnavailableImpact = "The Api answers with its offline responder and Memory embeds with its lexical embedder.",
        };
        ollama.Endpoints.Add(new EndpointAnnotation(OllamaResource.HttpEndpointName, targetPort: OllamaPort));
        return builder.AddResource(ollama).WithHttpHealthCheck("/", OllamaResource.HttpEndpointName);
    }

    /// <summary>Keeps downloaded models in a named volume mounted at <c>/root/.ollama</c>.</summary>
    public static IResourceBuilder<OllamaResource> WithDataVolume(this IResourceBuilder<OllamaResource> builder, string? name = null, bool isReadOnly = false) =>
        builder.WithVolume(name ?? ContainerResourceBuilderExtensions.VolumeName(builder, "data"), "/root/.ollama", isReadOnly);

    /// <summary>
    /// Adds a model, pulled once the server is healthy. The resource is named <c>{ollama}-{model}</c> without the tag
    /// (<c>llama3.2:1b</c> becomes <c>ollama-llama3-2</c>), as the toolkit names it.
    /// </summary>
    public static IResourceBuilder<OllamaModelResource> AddModel(this IResourceBuilder<OllamaResource> builder, string modelName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        var shortName = modelName.Split(':')[0].Split('/')[^1].Replace('.', '-');
        return builder.AddModel($"{builder.Resource.Name}-{shortName}", modelName);
    }

    /// <summary>Adds a model under an explicit resource name.</summary>
    public static IResourceBuilder<OllamaModelResource> AddModel(this IResourceBuilder<OllamaResource> builder, string name, string modelName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var model = new OllamaModelResource(name, modelName, builder.Resource);
        builder.Resource.Models.Add(model);
        return builder.ApplicationBuilder.AddResource(model);
    }
}
