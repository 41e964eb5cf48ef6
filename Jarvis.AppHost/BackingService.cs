namespace Jarvis.AppHost;

/// <summary>A backing service as this run composes it: its container, an existing server, or nothing.</summary>
/// <param name="Name">The resource name, also the connection string name.</param>
/// <param name="Source">Where the service comes from in this run.</param>
/// <param name="Resource">The resource, or null when the service is left out.</param>
/// <param name="Services">The composition it belongs to, which adds its models.</param>
internal sealed record BackingService(string Name, BackingServiceSource Source, IResourceBuilder<IResourceWithConnectionString>? Resource, BackingServices Services);

/// <summary>Where a backing service comes from in this run.</summary>
internal enum BackingServiceSource
{
    /// <summary>A container the app host runs (always so in the manifest).</summary>
    Container,

    /// <summary>A server named by <c>ConnectionStrings:NAME</c> in the app host's configuration.</summary>
    ExistingServer,

    /// <summary>Not in this run: no container engine and no connection string.</summary>
    LeftOut,
}
