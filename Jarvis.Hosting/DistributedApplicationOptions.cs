using System.Reflection;

namespace Jarvis.Hosting;

/// <summary>Options for <see cref="DistributedApplication.CreateBuilder(DistributedApplicationOptions)"/>.</summary>
public sealed class DistributedApplicationOptions
{
    /// <summary>The command-line arguments (<c>--publisher manifest --output-path …</c>, <c>--verbose</c>).</summary>
    public string[] Args { get; set; } = [];

    /// <summary>The app host assembly: its name, user-secrets id and project directory. Defaults to the entry assembly.</summary>
    public Assembly? Assembly { get; set; }
}
