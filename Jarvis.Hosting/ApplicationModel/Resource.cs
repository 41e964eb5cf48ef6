namespace Jarvis.Hosting.ApplicationModel;

/// <summary>A named part of the distributed application: a project, a container, an executable, a parameter or a value.</summary>
public abstract class Resource
{
    protected Resource(string name)
    {
        ResourceNames.Validate(name);
        Name = name;
    }

    /// <summary>The resource name: unique in the application, used in environment names and manifest expressions.</summary>
    public string Name { get; }

    /// <summary>The resource type shown in status and snapshots, such as <c>Project</c> or <c>Container</c>.</summary>
    public abstract string ResourceType { get; }

    /// <summary>Resources this one must not start before (<c>WaitFor</c> and <c>WaitForCompletion</c>).</summary>
    public List<WaitAnnotation> Waits { get; } = [];

    /// <summary>Health checks: an HTTP path polled on one of the resource's endpoints.</summary>
    public List<HttpHealthCheckAnnotation> HealthChecks { get; } = [];

    /// <summary>True when publish mode leaves this resource out of the manifest.</summary>
    public bool IsExcludedFromManifest { get; set; }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>A resource that receives environment variables (projects, containers, executables).</summary>
public interface IResourceWithEnvironment
{
    /// <summary>Callbacks that add environment variables, evaluated at start (run mode) or when writing the manifest.</summary>
    List<Action<EnvironmentContext>> EnvironmentCallbacks { get; }

    /// <summary>Callbacks that add command-line arguments.</summary>
    List<object> Args { get; }
}

/// <summary>A resource that listens on endpoints.</summary>
public interface IResourceWithEndpoints
{
    /// <summary>The resource's endpoints, by name.</summary>
    List<EndpointAnnotation> Endpoints { get; }
}

/// <summary>A resource others call by name through service discovery (projects and executables).</summary>
public interface IResourceWithServiceDiscovery : IResourceWithEndpoints
{
    /// <summary>The resource name, which is also the service name.</summary>
    string Name { get; }
}

/// <summary>A resource that others reach through a connection string (<c>ConnectionStrings__NAME</c>).</summary>
public interface IResourceWithConnectionString
{
    /// <summary>The resource name, which is also the connection string name.</summary>
    string Name { get; }

    /// <summary>The connection string, as an expression over endpoints and parameters.</summary>
    ReferenceExpression ConnectionStringExpression { get; }
}

/// <summary>Whether a wait needs the dependency healthy (<c>WaitFor</c>) or finished (<c>WaitForCompletion</c>).</summary>
public enum WaitType
{
    /// <summary>Wait until the dependency is Running and Healthy.</summary>
    UntilHealthy,

    /// <summary>Wait until the dependency has exited with exit code 0.</summary>
    UntilCompleted,
}

/// <summary>A dependency that must be ready before the resource starts.</summary>
public sealed record WaitAnnotation(Resource Dependency, WaitType Type);

/// <summary>An HTTP health check: GET <see cref="Path"/> on the named endpoint must answer 2xx.</summary>
public sealed record HttpHealthCheckAnnotation(string Path, string EndpointName);

internal static class ResourceNames
{
    public static void Validate(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!char.IsAsciiLetter(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') || name.Contains("--", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Resource name '{name}' is invalid: it must start with a letter and contain only ASCII letters, digits, '-' and '_', without '--'.", nameof(name));
        }
    }
}
