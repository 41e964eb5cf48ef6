using System.Diagnostics;
using Jarvis.Hosting.Dashboard;
using Jarvis.Hosting.Dashboard.Telemetry;
using Jarvis.Tests.Infrastructure;
using Jarvis.Tests.Infrastructure.Otlp;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Jarvis.Tests.Dashboard.Telemetry;

/// <summary>SQLite storage: telemetry survives a restart of the store, and the limits still apply to what is reloaded.</summary>
public sealed class SqliteTelemetryStorageTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("jarvis-telemetry-");

    private string DatabasePath => Path.Combine(_directory.FullName, "nested", "dashboard.db");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task TelemetrySurvivesARestartWithinTheLimits()
    {
        var ct = TestContext.Current.CancellationToken;
        using var source = new ActivitySource($"sqlite-{Guid.NewGuid():N}");
        using var meter = new System.Diagnostics.Metrics.Meter(source.Name);
        var sizes = meter.CreateHistogram<double>("answer.size");
        string traceId;
        await using (var first = await OtlpReceiver.StartAsync(ct, sqlitePath: DatabasePath))
        {
            (await OtlpRequests.PostAsync(first, "logs", OtlpRequests.Logs("memory", "one", "two", "three", "four"), ct)).EnsureSuccessStatusCode();
            using (var tracing = OtlpExporters.Traces(first, "api", source.Name))
            {
                using (var root = source.StartActivity("POST /api/chat")!)
                {
                    traceId = root.TraceId.ToHexString();
                    using var child = source.StartActivity("recall")!;
                }

                tracing.ForceFlush();
            }

            using (var metrics = OtlpExporters.Metrics(first, "api", meter.Name, v => v.AddView(sizes.Name, new ExplicitBucketHistogramConfiguration { Boundaries = [10, 20] })))
            {
                sizes.Record(5);
                sizes.Record(15);
                metrics.ForceFlush();
            }

            await Eventually.FindAsync(() => first.Repository.GetTrace(traceId) is { Spans.Count: 2 } t ? t : null, "the trace", ct);
        }

        // A new store on the same file, with a smaller log limit: the newest records fit, the rest goes.
        await using (var second = await OtlpReceiver.StartAsync(ct, limits: new TelemetryLimitsOptions { MaxLogCount = 2 }, sqlitePath: DatabasePath))
        {
            Assert.Equal(["four", "three"], second.Logs.Select(l => l.Message));
            Assert.Equal([("POST /api/chat", 0), ("recall", 1)], second.Repository.GetTrace(traceId)!.Spans.Select(s => (s.Name, s.Depth)));
            var point = second.Repository.GetInstrument("api", meter.Name, sizes.Name, null, null)!.Series.Single().Points[0];
            Assert.Equal((2L, 20.0, 10.0), (point.Count, point.Sum, point.P50));
            Assert.Equal(["api", "memory"], second.Repository.GetResources());
            Assert.Contains(second.Repository.GetResourceAttributes("memory"), a => a.Key == "service.name" && a.Value == "memory");

            (await OtlpRequests.PostAsync(second, "logs", OtlpRequests.Logs("memory", "five"), ct)).EnsureSuccessStatusCode();
            Assert.Equal(["five", "four"], ByArrival(second));
        }

        // And again: what the second run evicted is gone from the file too.
        await using var third = await OtlpReceiver.StartAsync(ct, sqlitePath: DatabasePath);
        Assert.Equal(["five", "four"], ByArrival(third));
        Assert.Equal(2, third.Repository.GetTrace(traceId)!.Spans.Count);
    }

    /// <summary>The messages newest first by arrival (the hand-made records carry timestamps of their own).</summary>
    private static IEnumerable<string> ByArrival(OtlpReceiver receiver) =>
        receiver.Repository.GetLogs(new LogQuery(Limit: int.MaxValue)).OrderByDescending(l => l.Id).Select(l => l.Message);
}
