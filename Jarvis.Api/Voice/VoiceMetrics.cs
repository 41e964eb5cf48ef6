using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Jarvis.Api.Voice;

/// <summary>
/// The voice turn's telemetry: <c>voice_turn_seconds</c> (from the recording received to the reply's end) and
/// <c>voice_turn_first_audio_seconds</c> (to the first sentence spoken), and the <c>voice speak</c> spans.
/// </summary>
public sealed class VoiceMetrics
{
    /// <summary>The source of the <c>voice speak</c> spans.</summary>
    public static readonly ActivitySource Source = new("Jarvis.Api.Voice");

    private readonly Histogram<double> _turn;
    private readonly Histogram<double> _firstAudio;

    /// <summary>Creates the instruments on the <c>Jarvis.Api.Voice</c> meter.</summary>
    public VoiceMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create("Jarvis.Api.Voice");
        _turn = meter.CreateHistogram<double>("voice_turn_seconds", "s", "Time of a voice turn, from the recording received to the end of the reply.");
        _firstAudio = meter.CreateHistogram<double>("voice_turn_first_audio_seconds", "s", "Time from the recording received to the first sentence of the reply spoken.");
    }

    /// <summary>Records a finished voice turn.</summary>
    public void TurnFinished(TimeSpan elapsed) => _turn.Record(elapsed.TotalSeconds);

    /// <summary>Records the first audio of a voice turn.</summary>
    public void FirstAudio(TimeSpan elapsed) => _firstAudio.Record(elapsed.TotalSeconds);
}
