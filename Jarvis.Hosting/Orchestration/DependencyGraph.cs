using Jarvis.Hosting.ApplicationModel;

namespace Jarvis.Hosting.Orchestration;

/// <summary>What each resource depends on: its waits, the resources its environment refers to, a model's server.</summary>
internal static class DependencyGraph
{
    public static Dictionary<Resource, HashSet<Resource>> Build(IEnumerable<Resource> resources)
    {
        var graph = new Dictionary<Resource, HashSet<Resource>>();
        foreach (var resource in resources)
        {
            var dependencies = resource.Waits.Select(w => w.Dependency).ToHashSet();
            dependencies.UnionWith(EnvironmentReferences(resource));

            if (resource is Ollama.OllamaModelResource model)
            {
                dependencies.Add(model.Parent);
            }

            dependencies.Remove(resource);
            graph[resource] = dependencies;
        }

        return graph;
    }

    /// <summary>The resources a resource's environment refers to (its <c>WithReference</c>s, parameters, endpoints).</summary>
    public static IEnumerable<Resource> EnvironmentReferences(Resource resource)
    {
        if (resource is not IResourceWithEnvironment withEnvironment)
        {
            return [];
        }

        var context = new EnvironmentContext(new DistributedApplicationExecutionContext(isPublishMode: false));
        foreach (var callback in withEnvironment.EnvironmentCallbacks)
        {
            callback(context);
        }

        return context.EnvironmentVariables.Values.OfType<IExpressionValue>().SelectMany(v => v.References).Distinct();
    }
}
