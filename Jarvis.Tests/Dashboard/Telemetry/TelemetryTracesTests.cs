using System.Diagnostics;
using Jarvis.Hosting.Dashboard.Telemetry;
using Jarvis.Tests.Infrastructure;
using Jarvis.Tests.Infrastructure.Otlp;
using OpenTelemetry.Trace;

namespace Jarvis.Tests.Dashboard.Telemetry;

/// <summary>Spans from two services' OTLP exporters, assembled into traces and GenAI calls by the repository.</summary>
public sealed class TelemetryTracesTests
{
    [Fact]
    public async Task SpansOfTwoServicesFormOneTraceInWaterfallOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct);
        using var frontendSource = new ActivitySource($"frontend-{Guid.NewGuid():N}");
        using var backendSource = new ActivitySource($"backend-{Guid.NewGuid():N}");
        using var frontend = OtlpExporters.Traces(receiver, "api", frontendSource.Name);
        using var backend = OtlpExporters.Traces(receiver, "memory", backendSource.Name);

        string traceId;
        using (var root = frontendSource.StartActivity("POST /api/chat", ActivityKind.Server)!)
        {
            traceId = root.TraceId.ToHexString();
            using (var call = frontendSource.StartActivity("POST memory", ActivityKind.Client)!)
            {
                using var server = backendSource.StartActivity("POST /api/memories/search", ActivityKind.Server, call.Context)!;
                using var query = backendSource.StartActivity("vector search")!;
                query.SetStatus(ActivityStatusCode.Error, "index missing");
            }

            using var render = frontendSource.StartActivity("render answer")!;
        }

        frontend.ForceFlush();
        backend.ForceFlush();
        var trace = await Eventually.FindAsync(() => receiver.Repository.GetTrace(traceId) is { Spans.Count: 5 } t ? t : null, "the five spans", ct);

        Assert.Equal(
            [("POST /api/chat", 0, "api"), ("POST memory", 1, "api"), ("POST /api/memories/search", 2, "memory"), ("vector search", 3, "memory"), ("render answer", 1, "api")],
            trace.Spans.Select(s => (s.Name, s.Depth, s.Resource)));
        Assert.Equal(["Server", "Client", "Server", "Internal", "Internal"], trace.Spans.Select(s => s.Kind));
        Assert.Equal(trace.Spans[1].SpanId, trace.Spans[2].ParentSpanId);
        Assert.Null(trace.Spans[0].ParentSpanId);
        Assert.Equal(("Error", "index missing"), (trace.Spans[3].Status, trace.Spans[3].StatusMessage));
        Assert.Equal(frontendSource.Name, trace.Spans[0].Scope);

        var summary = Assert.Single(receiver.Repository.GetTraces(new TraceQuery()));
        Assert.Equal((traceId, "POST /api/chat", "api", 5, 1), (summary.TraceId, summary.RootName, summary.RootResource, summary.SpanCount, summary.ErrorCount));
        Assert.Equal(["api", "memory"], summary.Resources);
        Assert.Equal(trace.Spans[0].Start, summary.Start);
        Assert.True(summary.Duration >= trace.Spans[0].Duration);
    }

    [Fact]
    public async Task TraceQueriesFilterNewestFirst()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct);
        var spans = new[]
        {
            OtlpRequests.MakeSpan(1, 1, "GET /health", second: 0),
            OtlpRequests.MakeSpan(2, 2, "POST /api/chat", second: 10),
            OtlpRequests.MakeSpan(3, 3, "GET /api/memories", second: 20),

            // Trace 4's parent was never received: its earliest span is its root.
            OtlpRequests.MakeSpan(4, 5, "late child", second: 31, parent: 4),
            OtlpRequests.MakeSpan(4, 6, "orphan", second: 30, parent: 99),
        };
        spans[1].Status = new() { Code = global::Jarvis.Hosting.Dashboard.Otlp.Proto.Trace.Status.Types.StatusCode.Error };
        (await OtlpRequests.PostAsync(receiver, "traces", OtlpRequests.Traces("api", spans[..3]), ct)).EnsureSuccessStatusCode();
        (await OtlpRequests.PostAsync(receiver, "traces", OtlpRequests.Traces("voice", spans[3..]), ct)).EnsureSuccessStatusCode();
        var repository = receiver.Repository;

        Assert.Equal(["orphan", "GET /api/memories", "POST /api/chat", "GET /health"], repository.GetTraces(new TraceQuery()).Select(t => t.RootName));
        Assert.Equal(["POST /api/chat"], repository.GetTraces(new TraceQuery(ErrorsOnly: true)).Select(t => t.RootName));
        Assert.Equal(["GET /api/memories", "POST /api/chat"], repository.GetTraces(new TraceQuery(Text: "/API/")).Select(t => t.RootName));
        Assert.Equal(["orphan"], repository.GetTraces(new TraceQuery(Text: "late")).Select(t => t.RootName));
        Assert.Equal(["orphan"], repository.GetTraces(new TraceQuery(Resource: "voice")).Select(t => t.RootName));
        Assert.Equal(2, repository.GetTraces(new TraceQuery(Limit: 2)).Count);
        Assert.Equal([("orphan", 0), ("late child", 0)], repository.GetTrace(Convert.ToHexStringLower(OtlpRequests.TraceId(4).Span))!.Spans.Select(s => (s.Name, s.Depth)));
    }

    [Fact]
    public async Task GenAiCallsCarryModelTokensAndTimeToFirstToken()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct);
        using var source = new ActivitySource($"genai-{Guid.NewGuid():N}");
        using var tracing = OtlpExporters.Traces(receiver, "api", source.Name);
        var start = DateTimeOffset.UtcNow.AddMinutes(-1);

        using (source.StartActivity("not a model call")!)
        {
        }

        using (var chat = source.StartActivity("chat llama3.2", ActivityKind.Client, default(ActivityContext), startTime: start)!)
        {
            chat.SetTag("gen_ai.system", "ollama").SetTag("gen_ai.request.model", "llama3.2")
                .SetTag("gen_ai.usage.input_tokens", 42).SetTag("gen_ai.usage.output_tokens", 7);
            chat.AddEvent(new ActivityEvent("gen_ai.first_token", start.AddMilliseconds(250)));
            chat.SetEndTime(start.AddMilliseconds(1500).UtcDateTime);
        }

        using (var embed = source.StartActivity("embeddings", ActivityKind.Client, default(ActivityContext), startTime: start.AddSeconds(5))!)
        {
            embed.SetTag("gen_ai.operation.name", "embeddings").SetTag("gen_ai.response.model", "nomic-embed-text");
            embed.SetStatus(ActivityStatusCode.Error);
        }

        tracing.ForceFlush();
        var calls = await Eventually.FindAsync(() => receiver.Repository.GetGenAiCalls(10) is { Count: 2 } c ? c : null, "two model calls", ct);

        var (embedding, chatCall) = (calls[0], calls[1]);
        Assert.Equal(("chat llama3.2", "api", "ollama", "llama3.2"), (chatCall.Name, chatCall.Resource, chatCall.System, chatCall.Model));
        Assert.Equal((42L, 7L), (chatCall.InputTokens, chatCall.OutputTokens));
        Assert.Equal(TimeSpan.FromMilliseconds(250), chatCall.TimeToFirstToken);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), chatCall.Duration);
        Assert.Equal(start, chatCall.Start);
        Assert.Equal("Unset", chatCall.Status);
        Assert.Equal(("embeddings", null, "nomic-embed-text", "Error"), (embedding.Name, embedding.System, embedding.Model, embedding.Status));
        Assert.Null(embedding.TimeToFirstToken);
        Assert.Null(embedding.InputTokens);
        Assert.Single(receiver.Repository.GetGenAiCalls(1));
    }
}
