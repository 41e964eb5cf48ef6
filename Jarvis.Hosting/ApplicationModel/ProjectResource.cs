namespace Jarvis.Hosting.ApplicationModel;

/// <summary>The metadata Aspire's SDK generates for each project reference of an app host (<c>Projects.Jarvis_Api</c>).</summary>
public interface IProjectMetadata
{
    /// <summary>The full path of the project file.</summary>
    string ProjectPath { get; }

    /// <summary>The full path of the built assembly.</summary>
    string TargetPath { get; }
}

/// <summary>A .NET project, run from its build output as a child process.</summary>
public sealed class ProjectResource(string name, IProjectMetadata metadata) : Resource(name), IResourceWithEnvironment, IResourceWithServiceDiscovery
{
    /// <inheritdoc />
    public override string ResourceType => "Project";

    /// <summary>Where the project and its build output are.</summary>
    public IProjectMetadata Metadata { get; } = metadata;

    /// <inheritdoc />
    public List<Action<EnvironmentContext>> EnvironmentCallbacks { get; } = [];

    /// <inheritdoc />
    public List<object> Args { get; } = [];

    /// <inheritdoc />
    public List<EndpointAnnotation> Endpoints { get; } = [];
}
