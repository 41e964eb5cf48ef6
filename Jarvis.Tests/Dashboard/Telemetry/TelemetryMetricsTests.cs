using System.Diagnostics.Metrics;
using Jarvis.Hosting.Dashboard.Otlp.Proto.Metrics;
using Jarvis.Hosting.Dashboard.Telemetry;
using Jarvis.Tests.Infrastructure.Otlp;
using OpenTelemetry.Metrics;
using MetricPoint = Jarvis.Hosting.Dashboard.Telemetry.MetricPoint;
using ProtoMetric = Jarvis.Hosting.Dashboard.Otlp.Proto.Metrics.Metric;
using TelemetryAttribute = Jarvis.Hosting.Dashboard.Telemetry.Attribute;

namespace Jarvis.Tests.Dashboard.Telemetry;

/// <summary>Metrics from the SDK's OTLP exporter (cumulative temporality, its default), read back with percentiles.</summary>
public sealed class TelemetryMetricsTests
{
    [Fact]
    public async Task HistogramPercentilesComeFromEachIntervalsBuckets()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct);
        using var meter = new Meter($"metrics-{Guid.NewGuid():N}");
        var latency = meter.CreateHistogram<double>("jarvis.turn.duration", "ms", "Time of a chat turn");
        using var metrics = OtlpExporters.Metrics(receiver, "api", meter.Name,
            views => views.AddView(latency.Name, new ExplicitBucketHistogramConfiguration { Boundaries = [0, 10, 20, 30, 40] }));

        // 10 values in each of (0,10], (10,20], (20,30] and (30,40].
        foreach (var value in new[] { 5.0, 15, 25, 35 })
        {
            for (var i = 0; i < 10; i++)
            {
                latency.Record(value, new KeyValuePair<string, object?>("model", "llama3.2"));
            }
        }

        metrics.ForceFlush();

        // The next interval only has values above the last bound: the cumulative point less the first one.
        for (var i = 0; i < 10; i++)
        {
            latency.Record(45, new KeyValuePair<string, object?>("model", "llama3.2"));
        }

        metrics.ForceFlush();

        var detail = receiver.Repository.GetInstrument("api", meter.Name, latency.Name, new Dictionary<string, string> { ["model"] = "llama3.2" }, window: null)!;
        var instrument = Assert.Single(receiver.Repository.GetInstruments("api"));
        Assert.Equal(("Histogram", "ms", "Time of a chat turn"), (instrument.Type, instrument.Unit, instrument.Description));
        Assert.Equal(["model"], instrument.DimensionKeys);
        var series = Assert.Single(detail.Series);
        Assert.Equal([new TelemetryAttribute("model", "llama3.2")], series.Dimensions);
        Assert.Equal(2, series.Points.Count);

        var first = series.Points[0];
        Assert.Equal((40L, 800.0), (first.Count, first.Sum));
        Assert.Equal(20, first.P50!.Value, 9);
        Assert.Equal(38, first.P95!.Value, 9);
        Assert.Equal(39.6, first.P99!.Value, 9);

        // Ranks in the +Inf bucket answer with the highest finite bound, as Prometheus does.
        var second = series.Points[1];
        Assert.Equal((10L, 450.0), (second.Count, second.Sum));
        Assert.Equal((40.0, 40.0, 40.0), (second.P50, second.P95, second.P99));
        Assert.Null(receiver.Repository.GetInstrument("api", meter.Name, latency.Name, new Dictionary<string, string> { ["model"] = "other" }, null)!.Series.SingleOrDefault());
    }

    [Fact]
    public async Task CountersGaugesAndExponentialHistograms()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct);
        using var meter = new Meter($"metrics-{Guid.NewGuid():N}");
        var turns = meter.CreateCounter<long>("jarvis.turns");
        var sessions = meter.CreateUpDownCounter<int>("jarvis.sessions");
        meter.CreateObservableGauge("jarvis.queue.length", () => 4.5);
        var sizes = meter.CreateHistogram<double>("jarvis.answer.size");
        using var metrics = OtlpExporters.Metrics(receiver, "api", meter.Name,
            views => views.AddView(sizes.Name, new Base2ExponentialBucketHistogramConfiguration()));

        turns.Add(3);
        turns.Add(4);
        sessions.Add(5);
        sessions.Add(-2);
        for (var value = 1; value <= 100; value++)
        {
            sizes.Record(value);
        }

        metrics.ForceFlush();

        InstrumentSummary Instrument(string name) => receiver.Repository.GetInstruments("api").Single(i => i.Name == name);
        MetricPoint Point(string name) => receiver.Repository.GetInstrument("api", meter.Name, name, null, null)!.Series.Single().Points.Single();
        Assert.Equal(("Counter", 7.0), (Instrument("jarvis.turns").Type, Point("jarvis.turns").Value));
        Assert.Equal(("UpDownCounter", 3.0), (Instrument("jarvis.sessions").Type, Point("jarvis.sessions").Value));
        Assert.Equal(("Gauge", 4.5), (Instrument("jarvis.queue.length").Type, Point("jarvis.queue.length").Value));

        // Exponential buckets are a few percent wide at the scale 100 values get: the percentiles are that close.
        var size = Point("jarvis.answer.size");
        Assert.Equal("ExponentialHistogram", Instrument("jarvis.answer.size").Type);
        Assert.Equal((100L, 5050.0), (size.Count, size.Sum));
        Assert.InRange(size.P50!.Value, 50 * 0.95, 50 * 1.05);
        Assert.InRange(size.P95!.Value, 95 * 0.95, 95 * 1.05);
        Assert.InRange(size.P99!.Value, 99 * 0.95, 99 * 1.05);
    }

    [Fact]
    public async Task SummariesKeepTheirQuantilesAndOldPointsLeaveTheWindow()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct);
        var summary = new ProtoMetric
        {
            Name = "rpc.latency",
            Summary = new Summary
            {
                DataPoints =
                {
                    new SummaryDataPoint
                    {
                        Count = 4, Sum = 10, TimeUnixNano = OtlpRequests.Nanos(TimeSpan.Zero),
                        QuantileValues = { Quantile(0.5, 2), Quantile(0.95, 3.5), Quantile(0.99, 3.9) },
                    },
                },
            },
        };

        (await OtlpRequests.PostAsync(receiver, "metrics", OtlpRequests.Metrics("legacy", summary), ct)).EnsureSuccessStatusCode();

        var point = receiver.Repository.GetInstrument("legacy", "test-meter", "rpc.latency", null, null)!.Series.Single().Points.Single();
        Assert.Equal((4L, 10.0, 2.0, 3.5, 3.9), (point.Count, point.Sum, point.P50, point.P95, point.P99));
        Assert.Equal("Summary", receiver.Repository.GetInstruments(null).Single().Type);

        // The point is from 2020-01-01, long before the last hour.
        Assert.Empty(receiver.Repository.GetInstrument("legacy", "test-meter", "rpc.latency", null, TimeSpan.FromHours(1))!.Series.Single().Points);
    }

    private static SummaryDataPoint.Types.ValueAtQuantile Quantile(double quantile, double value) => new() { Quantile = quantile, Value = value };
}
