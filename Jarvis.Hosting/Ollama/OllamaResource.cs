using Jarvis.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace Jarvis.Hosting.Ollama;

/// <summary>
/// An Ollama server container (port 11434), following the Aspire Community Toolkit: connection string
/// <c>Endpoint=http://host:port</c>, models added with <c>AddModel</c>.
/// </summary>
public sealed class OllamaResource(string name) : ContainerResource(name, "docker.io/ollama/ollama", "latest"), IResourceWithConnectionString
{
    internal const string HttpEndpointName = "http";

    /// <summary>Where run mode looks for a running Ollama server when no container can run (<c>AppHost:LocalOllamaUrl</c>).</summary>
    internal const string DefaultLocalServer = "http://localhost:11434";

    private ReferenceExpression? _existing;

    /// <summary>The models pulled once the server is healthy.</summary>
    public List<OllamaModelResource> Models { get; } = [];

    /// <inheritdoc />
    public ReferenceExpression ConnectionStringExpression => _existing
        ?? ReferenceExpression.Create($"Endpoint={new EndpointReference(this, HttpEndpointName).Property(EndpointProperty.Url)}");

    /// <summary>Uses <c>ConnectionStrings:NAME</c> when configured, else, without a container engine, a server already answering on localhost:11434.</summary>
    public override async ValueTask<string?> UseExistingInstanceAsync(IConfiguration configuration, bool containerEngineAvailable, CancellationToken cancellationToken)
    {
        if (configuration.GetConnectionString(Name) is { } configured)
        {
            // A configured connection string may carry credentials, so it is never shown.
            _existing = ReferenceExpression.Secret(configured);
            return $"ConnectionStrings:{Name}";
        }

        // A local server stands in only for a container that cannot run: with an engine, the app host runs its own.
        var local = new Uri(configuration["AppHost:LocalOllamaUrl"] ?? DefaultLocalServer).GetLeftPart(UriPartial.Authority);
        if (!containerEngineAvailable && await AnswersAsync(new Uri(local), cancellationToken))
        {
            _existing = ReferenceExpression.Create($"Endpoint={local}");
            return $"the Ollama server at {local}";
        }

        return null;
    }

    private static async Task<bool> AnswersAsync(Uri server, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        try
        {
            // Ollama answers GET / with 200 "Ollama is running".
            using var response = await client.GetAsync(server, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}

/// <summary>A model of an Ollama server: healthy once the server has it; its connection string adds <c>;Model=NAME</c>.</summary>
public sealed class OllamaModelResource(string name, string modelName, OllamaResource parent) : Resource(name), IResourceWithConnectionString
{
    /// <inheritdoc />
    public override string ResourceType => "OllamaModel";

    /// <summary>The model as Ollama names it, such as <c>llama3.2:1b</c>.</summary>
    public string ModelName { get; } = modelName;

    /// <summary>The server the model runs on.</summary>
    public OllamaResource Parent { get; } = parent;

    /// <inheritdoc />
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Parent};Model={ModelName}");
}
