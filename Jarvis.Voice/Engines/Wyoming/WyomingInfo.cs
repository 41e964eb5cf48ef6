using System.Text.Json.Nodes;

namespace Jarvis.Voice.Engines.Wyoming;

/// <summary>A model (a Whisper model, a Piper voice) of a Wyoming program, its languages and speakers.</summary>
public sealed record WyomingModel(string Name, IReadOnlyList<string> Languages, bool Installed, IReadOnlyList<string> Speakers);

/// <summary>A speech-to-text (<c>asr</c>) or text-to-speech (<c>tts</c>) program and whether it streams.</summary>
public sealed record WyomingProgram(string Name, IReadOnlyList<WyomingModel> Models, bool SupportsStreaming);

/// <summary>What a Wyoming server offers, from its <c>info</c> event.</summary>
public sealed record WyomingInfo(IReadOnlyList<WyomingProgram> Asr, IReadOnlyList<WyomingProgram> Tts)
{
    /// <summary>The languages of the installed speech-to-text models.</summary>
    public IReadOnlyList<string> AsrLanguages => Languages(Asr);

    /// <summary>True when a text-to-speech program advertises <c>supports_synthesize_streaming</c>.</summary>
    public bool SupportsSynthesizeStreaming => Tts.Any(p => p.SupportsStreaming);

    /// <summary>Reads an <c>info</c> event's data.</summary>
    public static WyomingInfo Parse(JsonObject? data) => new(
        Programs(data?["asr"], "supports_transcript_streaming"),
        Programs(data?["tts"], "supports_synthesize_streaming"));

    private static IReadOnlyList<string> Languages(IReadOnlyList<WyomingProgram> programs) =>
        [.. programs.SelectMany(p => p.Models).Where(m => m.Installed).SelectMany(m => m.Languages).Distinct(StringComparer.OrdinalIgnoreCase)];

    private static List<WyomingProgram> Programs(JsonNode? node, string streamingField) =>
        [.. Objects(node).Select(p => new WyomingProgram(
            Text(p["name"]) ?? "",
            [.. Objects(p["models"]).Select(Model)],
            p[streamingField] is JsonValue streaming && streaming.TryGetValue<bool>(out var supports) && supports))];

    private static WyomingModel Model(JsonObject model) => new(
        Text(model["name"]) ?? "",
        Strings(model["languages"]),
        // Servers that leave "installed" out (it is required) are taken at their word that the model is there.
        model["installed"] is not JsonValue installed || !installed.TryGetValue<bool>(out var value) || value,
        [.. Objects(model["speakers"]).Select(s => Text(s["name"])).OfType<string>()]);

    private static IEnumerable<JsonObject> Objects(JsonNode? node) =>
        node is JsonArray array ? array.OfType<JsonObject>() : [];

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray array ? [.. array.Select(Text).OfType<string>()] : [];

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
