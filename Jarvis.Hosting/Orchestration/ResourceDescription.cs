using Jarvis.Hosting.ApplicationModel;

namespace Jarvis.Hosting.Orchestration;

/// <summary>The parts of a snapshot that come from the app model: source, endpoints and relationships.</summary>
internal static class ResourceDescription
{
    /// <summary>Adds what the app model says about <paramref name="resource"/> to its snapshot; call once endpoints are allocated.</summary>
    public static ResourceSnapshot Describe(ResourceSnapshot snapshot, Resource resource) => snapshot with
    {
        Source = Source(resource),
        Endpoints = resource is IResourceWithEndpoints withEndpoints
            ? [.. withEndpoints.Endpoints.Select(e => new EndpointSnapshot(e.Name, e.Allocated?.Url, e.Transport, e.Allocated?.TargetPort ?? e.TargetPort, e.IsExternal))]
            : [],
        Relationships = Relationships(resource),
    };

    private static string? Source(Resource resource) => resource switch
    {
        ProjectResource project => project.Metadata.ProjectPath,
        ContainerResource container => container.ImageReference,
        ExecutableResource executable => string.Join(' ', [executable.Command, .. executable.Args.Select(a => a.ToString())]),
        Ollama.OllamaModelResource model => $"{model.ModelName} on {model.Parent.Name}",
        _ => null,
    };

    private static List<ResourceRelationshipSnapshot> Relationships(Resource resource)
    {
        var relationships = DependencyGraph.EnvironmentReferences(resource)
            .Where(r => r != resource)
            .Select(r => new ResourceRelationshipSnapshot(r.Name, "Reference"))
            .ToList();
        relationships.AddRange(resource.Waits.Select(w => new ResourceRelationshipSnapshot(w.Dependency.Name, w.Type == WaitType.UntilHealthy ? "WaitFor" : "WaitForCompletion")));
        if (resource is Ollama.OllamaModelResource model)
        {
            relationships.Add(new ResourceRelationshipSnapshot(model.Parent.Name, "Parent"));
        }

        return relationships;
    }
}
