namespace Jarvis.Voice.Model;

/// <summary>The body of <c>POST /api/tts</c>: text (1 to 2,000 characters), optional voice, language (en, fr…) and rate.</summary>
public sealed record SpeakRequest(string? Text, string? Voice = null, string? Language = null, double? Rate = null);
