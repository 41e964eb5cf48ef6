using System.Text.Json.Nodes;

namespace Jarvis.Tests.Voice.Wyoming;

/// <summary>info event data shaped like wyoming-faster-whisper's and wyoming-piper's.</summary>
public static class WyomingTestInfo
{
    public static JsonObject Create(bool transcriptStreaming, bool synthesizeStreaming) => new()
    {
        ["asr"] = new JsonArray(new JsonObject
        {
            ["name"] = "faster-whisper",
            ["attribution"] = Attribution(),
            ["installed"] = true,
            ["supports_transcript_streaming"] = transcriptStreaming,
            ["models"] = new JsonArray(new JsonObject
            {
                ["name"] = "tiny-int8",
                ["languages"] = new JsonArray("en", "fr"),
                ["attribution"] = Attribution(),
                ["installed"] = true,
            }),
        }),
        ["tts"] = new JsonArray(new JsonObject
        {
            ["name"] = "piper",
            ["attribution"] = Attribution(),
            ["installed"] = true,
            ["supports_synthesize_streaming"] = synthesizeStreaming,
            ["models"] = new JsonArray(
                new JsonObject
                {
                    ["name"] = "en_US-lessac-medium",
                    ["languages"] = new JsonArray("en_US"),
                    ["attribution"] = Attribution(),
                    ["installed"] = true,
                    ["speakers"] = new JsonArray(new JsonObject { ["name"] = "lessac" }),
                },
                new JsonObject
                {
                    ["name"] = "fr_FR-siwis-medium",
                    ["languages"] = new JsonArray("fr_FR"),
                    ["attribution"] = Attribution(),
                    ["installed"] = false,
                }),
        }),
    };

    private static JsonObject Attribution() => new() { ["name"] = "rhasspy", ["url"] = "https://github.com/rhasspy" };
}
