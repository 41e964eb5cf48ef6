namespace Jarvis.AppHost.Hosting;

/// <summary>A .NET project of the repository, run as a child process.</summary>
public sealed class ProjectResource(string name, string project, int? port)
{
    public string Name { get; } = name;

    /// <summary>The project's folder (and assembly) name at the repository root, such as <c>Jarvis.Api</c>.</summary>
    public string Project { get; } = project;

    /// <summary>A fixed port, or null for a free one chosen at start.</summary>
    public int? Port { get; } = port;

    public List<ProjectResource> References { get; } = [];

    public List<ProjectResource> WaitsFor { get; } = [];

    public Uri? Url { get; internal set; }

    /// <summary>Injects <c>services__NAME__http__0</c> (and <c>NAME_HTTP</c>), the way Aspire's WithReference does.</summary>
    public ProjectResource WithReference(ProjectResource other)
    {
        References.Add(other);
        return this;
    }

    /// <summary>Starts this resource only once <paramref name="other"/> answers its health endpoint.</summary>
    public ProjectResource WaitFor(ProjectResource other)
    {
        WaitsFor.Add(other);
        return this;
    }
}
