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
            if (resource is IResourceWithEnvironment withEnvironment)
            {
                var context = new EnvironmentContext(new DistributedApplicationExecutionContext(isPublishMode: false));
                foreach (var callback in withEnvironment.EnvironmentCallbacks)
                {
                    callback(context);
                }

                dependencies.UnionWith(context.EnvironmentVariables.Values.OfType<IExpressionValue>().SelectMany(v => v.References));
            }

            if (resource is Ollama.OllamaModelResource model)
            {
                dependencies.Add(model.Parent);
            }

            dependencies.Remove(resource);
            graph[resource] = dependencies;
        }

        return graph;
    }
}
