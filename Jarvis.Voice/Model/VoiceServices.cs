using Jarvis.Voice.Services;
using Microsoft.Extensions.Options;

namespace Jarvis.Voice.Model;

/// <summary>What the voice handlers need, bound with <c>[AsParameters]</c>.</summary>
public sealed record VoiceServices(EngineSelector Selector, EngineGate Gate, VoiceTelemetry Telemetry, IOptions<VoiceOptions> Options, ILogger<VoiceServices> Log);
