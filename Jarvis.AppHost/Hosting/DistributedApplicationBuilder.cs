namespace Jarvis.AppHost.Hosting;

/// <summary>Declares the resources of the application, as Aspire's builder does.</summary>
public sealed class DistributedApplicationBuilder(string[] args)
{
    private readonly List<ProjectResource> _resources = [];

    public IReadOnlyList<string> Args { get; } = args;

    public ProjectResource AddProject(string name, string project, int? port = null)
    {
        var resource = new ProjectResource(name, project, port);
        _resources.Add(resource);
        return resource;
    }

    public DistributedApplication Build() => new(_resources, Args.Contains("--verbose"));
}
