using Jarvis.Hosting.Dashboard;
using Jarvis.Hosting.Dashboard.Telemetry;
using Jarvis.Tests.Infrastructure.Otlp;

namespace Jarvis.Tests.Dashboard.Telemetry;

/// <summary>Eviction at the configured limits (oldest first, traces whole) and attribute limits.</summary>
public sealed class TelemetryLimitsTests
{
    private static readonly TelemetryLimitsOptions Small = new() { MaxLogCount = 3, MaxTraceCount = 2, MaxMetricsCount = 3, MaxAttributeCount = 2, MaxAttributeLength = 5 };

    [Fact]
    public async Task TheOldestLogRecordsAndPointsGoFirst()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct, limits: Small);

        await Post(receiver, "logs", OtlpRequests.Logs("api", "one", "two"), ct);
        await Post(receiver, "logs", OtlpRequests.Logs("voice", "three", "four", "five"), ct);
        await Post(receiver, "metrics", OtlpRequests.Metrics("api", OtlpRequests.Gauge("queue", 1, 2, 3, 4, 5)), ct);

        Assert.Equal(["five", "four", "three"], receiver.Logs.Select(l => l.Message));
        var points = receiver.Repository.GetInstrument("api", "test-meter", "queue", null, null)!.Series.Single().Points;
        Assert.Equal([3.0, 4, 5], points.Select(p => p.Value!.Value));

        // The api's last log record went: only its metric keeps it among the resources.
        Assert.Equal(["api", "voice"], receiver.Repository.GetResources());
        Assert.Empty(receiver.Repository.GetLogs(new LogQuery(Resource: "api")));
    }

    [Fact]
    public async Task ANewTraceBeyondTheLimitEvictsTheOldestTraceWhole()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct, limits: Small);

        await Post(receiver, "traces", OtlpRequests.Traces("api", OtlpRequests.MakeSpan(1, 1, "first", 0), OtlpRequests.MakeSpan(2, 2, "second", 1)), ct);

        // A late span of the first trace does not make it newer: traces age from their first span received.
        await Post(receiver, "traces", OtlpRequests.Traces("memory", OtlpRequests.MakeSpan(1, 3, "first, child", 2, parent: 1)), ct);
        Assert.Equal(2, receiver.Repository.GetTrace(Hex(1))!.Spans.Count);
        await Post(receiver, "traces", OtlpRequests.Traces("api", OtlpRequests.MakeSpan(3, 4, "third", 3)), ct);

        Assert.Null(receiver.Repository.GetTrace(Hex(1)));
        Assert.Equal(["third", "second"], receiver.Repository.GetTraces(new TraceQuery()).Select(t => t.RootName));
        Assert.Equal(["api"], receiver.Repository.GetResources());
    }

    [Fact]
    public async Task AttributesAreCutToTheirLimits()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct, limits: Small);
        var span = OtlpRequests.MakeSpan(1, 1, "attributes", 0);
        span.Attributes.Add(OtlpRequests.Text("first", "0123456789"));
        span.Attributes.Add(OtlpRequests.Text("second", "abc"));
        span.Attributes.Add(OtlpRequests.Text("third", "dropped"));

        await Post(receiver, "traces", OtlpRequests.Traces("api", span), ct);

        Assert.Equal([new("first", "01234"), new("second", "abc")], Assert.Single(receiver.Spans).Attributes);
    }

    private static string Hex(int trace) => Convert.ToHexStringLower(OtlpRequests.TraceId(trace).Span);

    private static async Task Post(OtlpReceiver receiver, string signal, Google.Protobuf.IMessage request, CancellationToken cancellationToken) =>
        (await OtlpRequests.PostAsync(receiver, signal, request, cancellationToken)).EnsureSuccessStatusCode();
}
