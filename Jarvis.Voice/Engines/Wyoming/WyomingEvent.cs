using System.Text.Json.Nodes;

namespace Jarvis.Voice.Engines.Wyoming;

/// <summary>One Wyoming event: its type, its data (header <c>data</c> merged with the additional data) and its binary payload.</summary>
public sealed record WyomingEvent(string Type, JsonObject? Data = null, ReadOnlyMemory<byte> Payload = default)
{
    /// <summary>A string field of <see cref="Data"/>, or null when it is absent or not a string.</summary>
    public string? GetString(string name) =>
        Data?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>An integer field of <see cref="Data"/>, or null when it is absent or not a number.</summary>
    public int? GetInt32(string name) =>
        Data?[name] is JsonValue value && value.TryGetValue<int>(out var number) ? number : null;
}

/// <summary>The server broke the Wyoming framing or the event flow.</summary>
public sealed class WyomingProtocolException(string message, Exception? innerException = null) : Exception(message, innerException);
