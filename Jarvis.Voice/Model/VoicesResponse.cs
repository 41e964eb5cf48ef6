namespace Jarvis.Voice.Model;

/// <summary>The engines available now, with their voices and languages.</summary>
public sealed record VoicesResponse(IReadOnlyList<EngineVoices> TextToSpeech, IReadOnlyList<EngineLanguages> SpeechToText);

/// <summary>A text-to-speech engine and the voices it has now.</summary>
public sealed record EngineVoices(string Engine, IReadOnlyList<Engines.VoiceDescription> Voices);

/// <summary>A speech-to-text engine and the languages it understands.</summary>
public sealed record EngineLanguages(string Engine, IReadOnlyList<string> Languages);
