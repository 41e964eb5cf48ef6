using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Jarvis.Voice.Services;

/// <summary>
/// Spans per synthesis and transcription (source <c>Jarvis.Voice</c>) and the histograms <c>voice_tts_seconds</c>,
/// <c>voice_stt_seconds</c> and <c>voice_real_time_factor</c> (processing time over audio duration, by operation).
/// ServiceDefaults exports every <c>Jarvis.*</c> source and meter.
/// </summary>
public sealed class VoiceTelemetry
{
    /// <summary>The name of the activity source and the meter.</summary>
    public const string Name = "Jarvis.Voice";

    private static readonly ActivitySource s_source = new(Name);

    private readonly Histogram<double> _ttsSeconds;
    private readonly Histogram<double> _sttSeconds;
    private readonly Histogram<double> _realTimeFactor;

    /// <summary>Creates the instruments.</summary>
    public VoiceTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(Name);
        _ttsSeconds = meter.CreateHistogram<double>("voice_tts_seconds", "s", "Time to synthesise and stream speech.");
        _sttSeconds = meter.CreateHistogram<double>("voice_stt_seconds", "s", "Time to transcribe a recording.");
        _realTimeFactor = meter.CreateHistogram<double>("voice_real_time_factor", "1", "Processing time over audio duration.");
    }

    /// <summary>Starts a span for <paramref name="operation"/> (tts or stt) on an engine.</summary>
    public static Activity? StartActivity(string operation, string engine, string language)
    {
        var activity = s_source.StartActivity($"voice.{operation}");
        activity?.SetTag("voice.engine", engine);
        activity?.SetTag("voice.language", language);
        return activity;
    }

    /// <summary>Records one operation's processing time against the audio it produced or read.</summary>
    public void Record(Activity? activity, string operation, string engine, TimeSpan elapsed, TimeSpan audio)
    {
        activity?.SetTag("voice.audio_seconds", audio.TotalSeconds);
        var tag = new KeyValuePair<string, object?>("voice.engine", engine);
        (operation == "tts" ? _ttsSeconds : _sttSeconds).Record(elapsed.TotalSeconds, tag);
        if (audio > TimeSpan.Zero)
        {
            _realTimeFactor.Record(elapsed / audio, tag, new KeyValuePair<string, object?>("operation", operation));
        }
    }
}
