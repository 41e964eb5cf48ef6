namespace Jarvis.Voice.Model;

/// <summary>What <c>POST /api/stt</c> heard, how long the recording was and which engine listened.</summary>
public sealed record TranscriptionResponse(string Text, string Language, double? Confidence, long DurationMs, string Engine);
