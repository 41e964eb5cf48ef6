namespace Jarvis.Hosting.Dashboard.Telemetry;

public sealed partial class TelemetryRepository
{
    // Every resource with telemetry kept, with how many items it has: a resource goes when its last item is evicted.
    private readonly Dictionary<ResourceKey, ResourceState> _resources = [];
    private Dictionary<ResourceKey, string>? _names;

    /// <summary>
    /// The names of the resources with telemetry, sorted: <c>service.name</c>, with the first 8 characters of
    /// <c>service.instance.id</c> appended (<c>api-1a2b3c4d</c>) only while two instances of one name have telemetry (an
    /// instance without an id keeps the bare name).
    /// </summary>
    public IReadOnlyList<string> GetResources()
    {
        lock (_lock)
        {
            return [.. Names().Values.Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>The resource attributes a resource last sent (<c>service.name</c>, <c>service.instance.id</c>, …).</summary>
    public IReadOnlyList<Attribute> GetResourceAttributes(string resource)
    {
        lock (_lock)
        {
            return _resources.FirstOrDefault(r => Names()[r.Key] == resource).Value?.Attributes ?? [];
        }
    }

    private string Name(ResourceKey key) => Names()[key];

    /// <summary>True when the resource name or service name given by a query designates this resource.</summary>
    private bool Matches(ResourceKey key, string? resource) =>
        resource is null || key.ServiceName == resource || Name(key) == resource;

    private Dictionary<ResourceKey, string> Names()
    {
        return _names ??= _resources.Keys
            .GroupBy(k => k.ServiceName)
            .SelectMany(g => g.Select(k => (Key: k, Name: g.Count() == 1 || k.InstanceId.Length == 0 ? k.ServiceName : $"{k.ServiceName}-{Short(k.InstanceId)}")))
            .ToDictionary(n => n.Key, n => n.Name);

        static string Short(string instance) => instance.Length > 8 ? instance[..8] : instance;
    }

    private void Retain(ResourceKey key)
    {
        if (!_resources.TryGetValue(key, out var state))
        {
            _resources[key] = state = new ResourceState();
            _names = null;
        }

        state.Items++;
    }

    private void Release(ResourceKey key)
    {
        if (--_resources[key].Items == 0)
        {
            _resources.Remove(key);
            _names = null;
        }
    }

    private bool SetAttributes(StoredResource resource)
    {
        if (!_resources.TryGetValue(resource.Key, out var state) || state.Attributes.SequenceEqual(resource.Attributes))
        {
            return false;
        }

        state.Attributes = resource.Attributes;
        return true;
    }

    private sealed class ResourceState
    {
        public int Items { get; set; }

        public IReadOnlyList<Attribute> Attributes { get; set; } = [];
    }
}
