using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting;

/// <summary>Adds Wyoming voice servers: Whisper for speech-to-text, Piper for text-to-speech.</summary>
public static class WyomingBuilderExtensions
{
    // Not pinned: no tag of these images could be checked from here (no registry access); pin one when deploying.
    internal const string WhisperImage = "rhasspy/wyoming-whisper";
    internal const string WhisperTag = "latest";
    internal const string PiperImage = "rhasspy/wyoming-piper";
    internal const string PiperTag = "latest";

    /// <summary>Adds a wyoming-faster-whisper container (port 10300) running <paramref name="model"/> for <paramref name="language"/>.</summary>
    public static IResourceBuilder<WyomingServerResource> AddWyomingWhisper(this IDistributedApplicationBuilder builder, string name, string model = "tiny-int8", string language = "en") =>
        builder.AddWyoming(name, WhisperImage, WhisperTag, 10300).WithArgs("--model", model, "--language", language);

    /// <summary>Adds a wyoming-piper container (port 10200) speaking with <paramref name="voice"/>.</summary>
    public static IResourceBuilder<WyomingServerResource> AddWyomingPiper(this IDistributedApplicationBuilder builder, string name, string voice = "en_US-lessac-medium") =>
        builder.AddWyoming(name, PiperImage, PiperTag, 10200).WithArgs("--voice", voice);

    /// <summary>Keeps downloaded models and voices in a named volume mounted at <c>/data</c>, where the images keep them.</summary>
    public static IResourceBuilder<WyomingServerResource> WithDataVolume(this IResourceBuilder<WyomingServerResource> builder, string? name = null, bool isReadOnly = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithVolume(name ?? VolumeNameGenerator.Generate(builder, "data"), "/data", isReadOnly);
    }

    private static IResourceBuilder<WyomingServerResource> AddWyoming(this IDistributedApplicationBuilder builder, string name, string image, string tag, int port)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);

        // Wyoming is raw TCP: scheme and transport are tcp, as Aspire writes non-HTTP endpoints.
        return builder.AddResource(new WyomingServerResource(name))
            .WithImage(image, tag)
            .WithImageRegistry("docker.io")
            .WithEndpoint(targetPort: port, name: WyomingServerResource.PrimaryEndpointName, scheme: "tcp");
    }
}
