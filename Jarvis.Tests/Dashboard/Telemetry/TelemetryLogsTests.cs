using System.Diagnostics;
using Jarvis.Hosting.Dashboard.Telemetry;
using Jarvis.Tests.Infrastructure;
using Jarvis.Tests.Infrastructure.Otlp;
using Microsoft.Extensions.Logging;

namespace Jarvis.Tests.Dashboard.Telemetry;

/// <summary>Structured logs from the OpenTelemetry SDK's OTLP exporter, read back through the repository's filters.</summary>
public sealed class TelemetryLogsTests
{
    [Fact]
    public async Task LogsArriveNewestFirstWithLevelCategoryAndAttributes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct);
        using (var factory = OtlpExporters.Logs(receiver, "chat"))
        {
            var logger = factory.CreateLogger("Jarvis.Chat");
            logger.LogInformation("Turn {TurnId} started", 1);
            logger.LogWarning("Model {Model} is slow", "llama3.2");
            logger.LogError("Turn {TurnId} failed", 2);
        }

        var logs = await Eventually.FindAsync(() => receiver.Repository.GetLogs(new LogQuery()) is { Count: 3 } all ? all : null, "three records", ct);

        Assert.Equal(["Turn 2 failed", "Model llama3.2 is slow", "Turn 1 started"], logs.Select(l => l.Message));
        Assert.Equal(["Error", "Warning", "Information"], logs.Select(l => l.Level));
        Assert.All(logs, l => Assert.Equal("chat", l.Resource));
        Assert.All(logs, l => Assert.Equal("Jarvis.Chat", l.Category));
        Assert.Equal("llama3.2", logs[1].Attribute("Model"));
        Assert.True(logs[0].Id > logs[1].Id && logs[1].Id > logs[2].Id);
        Assert.Equal(["chat"], receiver.Repository.GetResources());
    }

    [Fact]
    public async Task FiltersByLevelTextResourceAndTrace()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct);
        using var source = new ActivitySource($"logs-{Guid.NewGuid():N}");
        using var tracing = OtlpExporters.Traces(receiver, "memory", source.Name);
        string traceId;
        using (var memory = OtlpExporters.Logs(receiver, "memory"))
        using (var voice = OtlpExporters.Logs(receiver, "voice"))
        {
            var memoryLogger = memory.CreateLogger("Jarvis.Memory");
            memoryLogger.LogDebug("Loaded {Count} vectors", 12);
            using (var activity = source.StartActivity("recall"))
            {
                traceId = activity!.TraceId.ToHexString();
                memoryLogger.LogWarning("Recall for {User} found nothing", "Alice");
            }

            voice.CreateLogger("Jarvis.Voice").LogCritical("Engine FLITE crashed");
        }

        await Eventually.FindAsync(() => receiver.Repository.GetLogs(new LogQuery()) is { Count: 3 } all ? all : null, "three records", ct);
        var repository = receiver.Repository;

        Assert.Equal(["Engine FLITE crashed", "Recall for Alice found nothing"], repository.GetLogs(new LogQuery(MinLevel: "Warning")).Select(l => l.Message));
        Assert.Equal(["Engine FLITE crashed"], repository.GetLogs(new LogQuery(MinLevel: "critical")).Select(l => l.Message));
        Assert.Equal(["Recall for Alice found nothing"], repository.GetLogs(new LogQuery(Text: "ALICE")).Select(l => l.Message));
        Assert.Equal(["Engine FLITE crashed"], repository.GetLogs(new LogQuery(Text: "flite")).Select(l => l.Message));
        Assert.Equal(["Loaded 12 vectors"], repository.GetLogs(new LogQuery(Text: "12", Resource: "memory")).Select(l => l.Message));
        Assert.Equal(2, repository.GetLogs(new LogQuery(Resource: "memory")).Count);
        var traced = Assert.Single(repository.GetLogs(new LogQuery(TraceId: traceId)));
        Assert.Equal("Recall for Alice found nothing", traced.Message);
        Assert.NotNull(traced.SpanId);
        Assert.Single(repository.GetLogs(new LogQuery(Limit: 1)));
    }
}
