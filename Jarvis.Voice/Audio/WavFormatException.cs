namespace Jarvis.Voice.Audio;

/// <summary>The body is not a PCM WAV file we can read; the message says why.</summary>
public sealed class WavFormatException(string message) : Exception(message);
