using Jarvis.Hosting.ApplicationModel;

namespace Jarvis.Hosting;

/// <summary>Adds containers and their volumes and bind mounts.</summary>
public static class ContainerResourceBuilderExtensions
{
    /// <summary>Adds a container image (<c>docker.io/library/redis</c>, tag <c>7</c>).</summary>
    public static IResourceBuilder<ContainerResource> AddContainer(this DistributedApplicationBuilder builder, string name, string image, string tag = "latest")
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddResource(new ContainerResource(name, image, tag));
    }

    /// <summary>Mounts a named volume at <paramref name="target"/>; a null name is generated from the app host and resource names.</summary>
    public static IResourceBuilder<T> WithVolume<T>(this IResourceBuilder<T> builder, string? name, string target, bool isReadOnly = false) where T : ContainerResource
    {
        builder.Resource.Mounts.Add(new ContainerMount(name ?? VolumeName(builder, "data"), target, isReadOnly, IsVolume: true));
        return builder;
    }

    /// <summary>Mounts a host directory at <paramref name="target"/>; a relative source is relative to the app host project.</summary>
    public static IResourceBuilder<T> WithBindMount<T>(this IResourceBuilder<T> builder, string source, string target, bool isReadOnly = false) where T : ContainerResource
    {
        builder.Resource.Mounts.Add(new ContainerMount(Path.GetFullPath(source, builder.ApplicationBuilder.AppHostDirectory), target, isReadOnly, IsVolume: false));
        return builder;
    }

    /// <summary>
    /// The generated volume name: <c>{apphost}-{resource}-{suffix}</c>, such as <c>jarvis.apphost-qdrant-data</c>. Unlike
    /// Aspire it has no hash of the app host's path, so every clone (and the committed manifest) names the same volume.
    /// </summary>
    internal static string VolumeName<T>(IResourceBuilder<T> builder, string suffix) where T : Resource
    {
        var application = builder.ApplicationBuilder.AppHostAssembly.GetName().Name!;
        var safe = new string(application.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? char.ToLowerInvariant(c) : '_').ToArray());
        return $"{safe}-{builder.Resource.Name}-{suffix}";
    }
}
