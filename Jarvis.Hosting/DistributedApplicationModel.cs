using Jarvis.Hosting.ApplicationModel;

namespace Jarvis.Hosting;

/// <summary>The declared resources, as the run and publish services see them.</summary>
public sealed class DistributedApplicationModel(IReadOnlyList<Resource> resources)
{
    /// <summary>The resources in declaration order.</summary>
    public IReadOnlyList<Resource> Resources { get; } = resources;

    /// <summary>The resource with this name, or an error naming it.</summary>
    public Resource Find(string name) =>
        Resources.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"No resource named '{name}'. Resources: {string.Join(", ", Resources.Select(r => r.Name))}.", nameof(name));
}
