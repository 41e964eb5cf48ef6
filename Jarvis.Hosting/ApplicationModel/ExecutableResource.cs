namespace Jarvis.Hosting.ApplicationModel;

/// <summary>A command run as a child process. Run mode only: the manifest leaves executables out, as azd rejects them.</summary>
public sealed class ExecutableResource(string name, string command, string workingDirectory) : Resource(name), IResourceWithEnvironment, IResourceWithServiceDiscovery
{
    /// <inheritdoc />
    public override string ResourceType => "Executable";

    /// <summary>The program to run, found on PATH when not a path.</summary>
    public string Command { get; } = command;

    /// <summary>The working directory.</summary>
    public string WorkingDirectory { get; } = workingDirectory;

    /// <inheritdoc />
    public List<Action<EnvironmentContext>> EnvironmentCallbacks { get; } = [];

    /// <inheritdoc />
    public List<object> Args { get; } = [];

    /// <inheritdoc />
    public List<EndpointAnnotation> Endpoints { get; } = [];
}
