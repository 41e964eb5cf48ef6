using Jarvis.Hosting.ApplicationModel;
using Jarvis.Hosting.Wyoming;

namespace Jarvis.Hosting;

/// <summary>Adds Wyoming voice servers: Whisper for speech-to-text, Piper for text-to-speech.</summary>
public static class WyomingBuilderExtensions
{
    private const int WhisperPort = 10300;
    private const int PiperPort = 10200;
    private const string UnavailableImpact = "Voice uses its local engines instead.";

    /// <summary>
    /// Adds a wyoming-faster-whisper container (<c>docker.io/rhasspy/wyoming-whisper</c>, port 10300) running
    /// <paramref name="model"/> for <paramref name="language"/>. When no container can run, <c>ConnectionStrings:NAME</c>
    /// in the app host's configuration points at an existing server instead.
    /// </summary>
    public static IResourceBuilder<WyomingServerResource> AddWyomingWhisper(this DistributedApplicationBuilder builder, string name, string model = "tiny-int8", string language = "en") =>
        builder.AddWyoming(name, "docker.io/rhasspy/wyoming-whisper", WhisperPort)
            .WithArgs("--model", model, "--language", language);

    /// <summary>
    /// Adds a wyoming-piper container (<c>docker.io/rhasspy/wyoming-piper</c>, port 10200) speaking with
    /// <paramref name="voice"/>. When no container can run, <c>ConnectionStrings:NAME</c> points at an existing server.
    /// </summary>
    public static IResourceBuilder<WyomingServerResource> AddWyomingPiper(this DistributedApplicationBuilder builder, string name, string voice = "en_US-lessac-medium") =>
        builder.AddWyoming(name, "docker.io/rhasspy/wyoming-piper", PiperPort)
            .WithArgs("--voice", voice);

    /// <summary>Keeps downloaded models and voices in a named volume mounted at <c>/data</c>, where the images keep them.</summary>
    public static IResourceBuilder<WyomingServerResource> WithDataVolume(this IResourceBuilder<WyomingServerResource> builder, string? name = null, bool isReadOnly = false) =>
        builder.WithVolume(name ?? ContainerResourceBuilderExtensions.VolumeName(builder, "data"), "/data", isReadOnly);

    private static IResourceBuilder<WyomingServerResource> AddWyoming(this DistributedApplicationBuilder builder, string name, string image, int port)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var server = new WyomingServerResource(name, image, "latest") { UnavailableImpact = UnavailableImpact };

        // Wyoming is a raw TCP protocol: scheme and transport are tcp, as Aspire writes non-HTTP endpoints.
        server.Endpoints.Add(new EndpointAnnotation(WyomingServerResource.TcpEndpointName, scheme: "tcp", transport: "tcp", targetPort: port));
        return builder.AddResource(server);
    }
}
