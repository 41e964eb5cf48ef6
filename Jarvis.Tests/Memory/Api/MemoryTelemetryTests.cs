using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using Jarvis.Memory.Memories;

namespace Jarvis.Tests.Memory.Api;

/// <summary>Store and search emit their spans and histograms, and the gauge counts the memories.</summary>
public sealed class MemoryTelemetryTests
{
    [Fact]
    public async Task StoreAndSearchEmitSpansHistogramsAndTheGauge()
    {
        var ct = TestContext.Current.CancellationToken;
        var activities = new ConcurrentQueue<Activity>();
        var measurements = new ConcurrentQueue<(string Instrument, double Value, string? System)>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MemoryTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(activityListener);
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == MemoryTelemetry.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meterListener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            measurements.Enqueue((instrument.Name, value, tags.ToArray().FirstOrDefault(t => t.Key == "db.system").Value as string)));
        meterListener.SetMeasurementEventCallback<long>((instrument, value, _, _) => measurements.Enqueue((instrument.Name, value, null)));
        meterListener.Start();

        await using var factory = new MemoryApiFactory();
        using var client = factory.CreateClient();
        (await client.PostAsJsonAsync("/api/memories", new { userId = "telemetry-user", text = "I prefer green tea" }, ct)).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync("/api/memories/search", new { userId = "telemetry-user", query = "tea" }, ct)).EnsureSuccessStatusCode();
        meterListener.RecordObservableInstruments();

        // The listeners see every test's spans and measurements (tests run in parallel): look for this test's kind, not a count.
        Assert.Contains(activities, a => a.OperationName == "memory.store" && Equals(a.GetTagItem("jarvis.memory.embedder"), "lexical-v1-384") && Equals(a.GetTagItem("db.system"), "embedded"));
        Assert.Contains(activities, a => a.OperationName == "memory.search" && Equals(a.GetTagItem("db.system"), "embedded"));
        Assert.Contains(measurements, m => m.Instrument == "memory_store_seconds" && m.Value > 0 && m.System == "embedded");
        Assert.Contains(measurements, m => m.Instrument == "memory_search_seconds" && m.Value > 0 && m.System == "embedded");
        Assert.Contains(measurements, m => m.Instrument == "memories_total" && m.Value >= 1);
    }
}
