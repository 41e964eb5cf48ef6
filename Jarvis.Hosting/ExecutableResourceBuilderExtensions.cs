using Jarvis.Hosting.ApplicationModel;

namespace Jarvis.Hosting;

/// <summary>Adds executables: commands run as child processes in run mode, left out of the manifest.</summary>
public static class ExecutableResourceBuilderExtensions
{
    /// <summary>Adds a command; a relative <paramref name="workingDirectory"/> is relative to the app host project.</summary>
    public static IResourceBuilder<ExecutableResource> AddExecutable(this DistributedApplicationBuilder builder, string name, string command, string workingDirectory, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var executable = new ExecutableResource(name, command, Path.GetFullPath(workingDirectory, builder.AppHostDirectory))
        {
            // azd rejects executable.v0, and an executable is a development tool, not part of the deployment.
            IsExcludedFromManifest = true,
        };
        executable.Args.AddRange(args);
        return builder.AddResource(executable);
    }
}
