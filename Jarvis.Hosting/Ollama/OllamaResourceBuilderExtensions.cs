using Aspire.Hosting.ApplicationModel;
using Jarvis.Hosting.Ollama;
using Microsoft.Extensions.DependencyInjection;

namespace Aspire.Hosting;

/// <summary>Adds Ollama and its models, with the surface of CommunityToolkit.Aspire.Hosting.Ollama.</summary>
public static class OllamaResourceBuilderExtensions
{
    /// <summary>The image and tag the Community Toolkit runs.</summary>
    internal const string Image = "ollama/ollama";
    internal const string Tag = "0.32.15";

    /// <summary>Adds an Ollama server container (port 11434), healthy once <c>GET /</c> answers.</summary>
    /// <param name="builder">The app host builder.</param>
    /// <param name="name">The resource name, also the connection string name.</param>
    /// <param name="port">The host port; random when null.</param>
    public static IResourceBuilder<OllamaResource> AddOllama(this IDistributedApplicationBuilder builder, string name, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);

        return builder.AddResource(new OllamaResource(name))
            .WithImage(Image, Tag)
            .WithImageRegistry("docker.io")
            .WithHttpEndpoint(port: port, targetPort: 11434, name: OllamaResource.OllamaEndpointName)
            .WithHttpHealthCheck("/");
    }

    /// <summary>Keeps downloaded models in a named volume mounted at <c>/root/.ollama</c>.</summary>
    public static IResourceBuilder<OllamaResource> WithDataVolume(this IResourceBuilder<OllamaResource> builder, string? name = null, bool isReadOnly = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithVolume(name ?? VolumeNameGenerator.Generate(builder, "ollama"), "/root/.ollama", isReadOnly);
    }

    /// <summary>
    /// Adds a model, pulled once the server is healthy; the dashboard shows the pull's progress as the model's state.
    /// The resource is named <c>{server}-{model}</c> without tag or namespace, dots made dashes (<c>llama3.2:1b</c> on
    /// <c>ollama</c> is <c>ollama-llama3-2</c>), as the toolkit names it.
    /// </summary>
    public static IResourceBuilder<OllamaModelResource> AddModel(this IResourceBuilder<OllamaResource> builder, string modelName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        return builder.AddModel(ModelResourceName(builder.Resource.Name, modelName), modelName);
    }

    /// <summary>Adds a model under an explicit resource name.</summary>
    public static IResourceBuilder<OllamaModelResource> AddModel(this IResourceBuilder<OllamaResource> builder, string name, string modelName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);

        builder.Resource.AddModel(modelName);
        var model = new OllamaModelResource(name, modelName, builder.Resource);
        var healthCheckKey = $"{name}-{modelName}-health";
        builder.ApplicationBuilder.Services.AddHealthChecks().Add(new(healthCheckKey, _ => new OllamaModelHealthCheck(model), failureStatus: null, tags: null));

        builder.ApplicationBuilder.Eventing.Subscribe<InitializeResourceEvent>(model, (e, _) =>
            e.Notifications.PublishUpdateAsync(model, state => state with
            {
                ResourceType = "OllamaModel",
                State = new(KnownResourceStates.Waiting, KnownResourceStateStyles.Info),
                Properties = [.. state.Properties, new(CustomResourceKnownProperties.Source, modelName)],
            }));

        // The pull runs in the background so the rest of the stack starts meanwhile; it may take minutes.
        builder.ApplicationBuilder.Eventing.Subscribe<ResourceReadyEvent>(builder.Resource, (e, cancellationToken) =>
        {
            _ = OllamaModelDownloader.DownloadAsync(model, e.Services, cancellationToken);
            return Task.CompletedTask;
        });

        return builder.ApplicationBuilder.AddResource(model)
            .WithHealthCheck(healthCheckKey)
            .WithParentRelationship(builder.Resource);
    }

    /// <summary>The toolkit's name for a model resource: <c>{server}-{model}</c>, tag and namespace dropped, dots made dashes.</summary>
    public static string ModelResourceName(string serverName, string modelName) =>
        $"{serverName}-{modelName.Split(':')[0].Split('/')[^1].Replace('.', '-')}";
}
