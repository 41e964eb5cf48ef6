using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Jarvis.Tests.Voice;

/// <summary>Synthesis and transcription record spans and the voice histograms.</summary>
public sealed class VoiceTelemetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SpeakingAndTranscribingRecordSpansDurationsAndRealTimeFactors()
    {
        var measurements = new ConcurrentBag<(string Name, double Value, string? Operation)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Jarvis.Voice")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            string? operation = null;
            foreach (var tag in tags)
            {
                operation = tag.Key == "operation" ? tag.Value as string : operation;
            }

            measurements.Add((instrument.Name, value, operation));
        });
        meters.Start();
        var spans = new ConcurrentBag<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Jarvis.Voice",
            Sample = (ref _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(activities);

        await using var api = new VoiceApiFactory();
        using var client = api.CreateClient();
        var wav = await VoiceTestAudio.SpeakAsync(client, "what time is it", "en", Ct);
        using var response = await VoiceTestAudio.PostWavAsync(client, wav, Ct);
        response.EnsureSuccessStatusCode();

        Assert.Contains(measurements, m => m.Name == "voice_tts_seconds" && m.Value > 0);
        Assert.Contains(measurements, m => m.Name == "voice_stt_seconds" && m.Value > 0);
        Assert.Contains(measurements, m => m.Name == "voice_real_time_factor" && m.Operation == "tts");
        Assert.Contains(measurements, m => m.Name == "voice_real_time_factor" && m.Operation == "stt");

        // Other voice tests run in parallel and share the static source, so look for our kind of span, not a single one.
        Assert.Contains(spans, s => s.OperationName == "voice.stt" && (string?)s.GetTagItem("voice.engine") == "pocketsphinx"
            && (string?)s.GetTagItem("voice.language") == "en" && s.GetTagItem("voice.audio_seconds") is > 0.5);
        Assert.Contains(spans, s => s.OperationName == "voice.tts" && (string?)s.GetTagItem("voice.engine") == "flite");
    }
}
