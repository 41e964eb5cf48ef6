using Microsoft.Extensions.Configuration;

namespace Jarvis.Hosting.ApplicationModel;

/// <summary>A container image, run through the docker or podman CLI when a container engine answers.</summary>
public class ContainerResource(string name, string image, string tag) : Resource(name), IResourceWithEnvironment, IResourceWithEndpoints
{
    /// <inheritdoc />
    public override string ResourceType => "Container";

    /// <summary>The image with its registry, such as <c>docker.io/qdrant/qdrant</c>.</summary>
    public string Image { get; set; } = image;

    /// <summary>The image tag.</summary>
    public string Tag { get; set; } = tag;

    /// <summary>The image reference the engine pulls: <c>image:tag</c>.</summary>
    public string ImageReference => $"{Image}:{Tag}";

    /// <inheritdoc />
    public List<Action<EnvironmentContext>> EnvironmentCallbacks { get; } = [];

    /// <inheritdoc />
    public List<object> Args { get; } = [];

    /// <inheritdoc />
    public List<EndpointAnnotation> Endpoints { get; } = [];

    /// <summary>Named volumes and bind mounts.</summary>
    public List<ContainerMount> Mounts { get; } = [];

    /// <summary>
    /// Run mode: an existing instance to use instead of a container (a configured connection string; without a container
    /// engine, also a server already listening), described for the console; null when there is none.
    /// </summary>
    public virtual ValueTask<string?> UseExistingInstanceAsync(IConfiguration configuration, bool containerEngineAvailable, CancellationToken cancellationToken) =>
        ValueTask.FromResult<string?>(null);

    /// <summary>What the application loses when this container cannot run, said once on the console.</summary>
    public string? UnavailableImpact { get; set; }
}

/// <summary>A named volume (<see cref="Source"/> is the volume name) or a bind mount (a host path).</summary>
public sealed record ContainerMount(string Source, string Target, bool IsReadOnly, bool IsVolume);
