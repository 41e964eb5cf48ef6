using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using static BenchServices;

// Measures a non-LLM chat turn (the offline responder's greeting) of the built Jarvis.Api, started as a process on
// loopback, over REST and over one WebSocket, against a bare Kestrel endpoint answering a fixed JSON body in this
// process: requests per second and latency percentiles, and the ratio. First with memory unreachable (its circuit
// breaker fails fast: the cost of the Api alone), then with a live Jarvis.Memory (embedded store in a temporary
// directory), where each turn is also recorded, and with a stand-in for Memory that stores nothing (the hop alone).
// Usage: dotnet run -c Release --project bench/Jarvis.Api.Benchmarks [requests] (default 2000); bench/api-chat.sh
// drives the same targets with wrk through --serve.
var requests = args is [var count] ? int.Parse(count, CultureInfo.InvariantCulture) : 2000;
const int Concurrency = 8;
const string Key = "bench-key";
var root = FindRoot();
var data = Directory.CreateTempSubdirectory("jarvis-bench-memory-");

var (memory, memoryUrl) = StartService("Jarvis.Memory", new() { ["Memory__Embedded__DataDirectory"] = data.FullName });
var (api, apiUrl) = StartApi("http://127.0.0.1:1");
var (apiWithMemory, apiWithMemoryUrl) = StartApi(memoryUrl.ToString());

// A stand-in for Jarvis.Memory in this process that answers POST /api/turns as Memory does but stores nothing: the
// Api with it measures the hop to a second process alone, the ceiling of any store behind it on the same cores.
var hopBuilder = WebApplication.CreateSlimBuilder();
hopBuilder.Logging.ClearProviders();
hopBuilder.WebHost.UseUrls("http://127.0.0.1:0");
await using var memoryHop = hopBuilder.Build();
memoryHop.MapPost("/api/turns", (AppendTurns request) => Results.Json(new
{
    turns = request.Turns.Select((turn, i) => new { turn.ConversationId, turn.UserId, sequence = i + 1, turn.Role, turn.Text, createdAt = DateTimeOffset.UtcNow }),
}));
await memoryHop.StartAsync();
var (apiWithMemoryHop, apiWithMemoryHopUrl) = StartApi(memoryHop.Urls.First());

// Telemetry on, as under the AppHost: every span, metric and log record exported over OTLP (to a sink in this process
// that accepts and drops them) and the JSON console log at Information.
var sinkBuilder = WebApplication.CreateSlimBuilder();
sinkBuilder.Logging.ClearProviders();
sinkBuilder.WebHost.UseUrls("http://127.0.0.1:0");
await using var otlpSink = sinkBuilder.Build();
otlpSink.MapPost("/v1/{signal}", async (HttpContext context) =>
{
    await context.Request.Body.CopyToAsync(Stream.Null);
    context.Response.ContentType = "application/x-protobuf"; // an empty Export*ServiceResponse is zero bytes
});
await otlpSink.StartAsync();
Dictionary<string, string> Telemetry(params (string Name, string Value)[] more)
{
    var environment = new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlpSink.Urls.First(),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_SERVICE_NAME"] = "api",
        ["Logging__LogLevel__Default"] = "Information",
    };
    foreach (var (name, value) in more)
    {
        environment[name] = value;
    }

    return environment;
}

var (apiWithTelemetry, apiWithTelemetryUrl) = StartApi("http://127.0.0.1:1", Telemetry());

// The same with one trace in ten kept (the SDK's standard sampler variables): what production sampling buys back.
var (apiSampled, apiSampledUrl) = StartApi("http://127.0.0.1:1", Telemetry(("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"), ("OTEL_TRACES_SAMPLER_ARG", "0.1")));

var bare = WebApplication.CreateSlimBuilder();
bare.Logging.ClearProviders();
bare.WebHost.UseUrls("http://127.0.0.1:0");
await using var baseline = bare.Build();
baseline.MapPost("/api/chat", () => Results.Json(new { reply = "Hello! How can I help?", conversationId = "c", requestId = "r" }));
await baseline.StartAsync();
var baselineUrl = new Uri(baseline.Urls.First());

using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
http.DefaultRequestHeaders.Add("X-API-Key", Key);
foreach (var url in new[] { memoryUrl, apiUrl, apiWithMemoryUrl, apiWithMemoryHopUrl, apiWithTelemetryUrl, apiSampledUrl })
{
    await WaitHealthyAsync(http, url);
}

try
{
    if (args is ["--serve", var urlsFile])
    {
        // For bench/api-chat.sh: the targets stay up for wrk until this process gets SIGTERM or SIGINT.
        await File.WriteAllTextAsync(urlsFile, $"bare {baselineUrl}\napi {apiUrl}\napi-telemetry {apiWithTelemetryUrl}\napi-sampled {apiSampledUrl}\napi-memory {apiWithMemoryUrl}\napi-memory-hop {apiWithMemoryHopUrl}\n");
        using var stop = new CancellationTokenSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Asked to stop: the processes are stopped below.
        }

        return;
    }

    Console.WriteLine(Format($"Jarvis.Api chat turn (offline responder) vs bare Kestrel, {requests:N0} requests, {Concurrency} concurrent, {Environment.ProcessorCount} cores"));
    var bareRest = await MeasureAsync(() => PostAsync(http, baselineUrl), requests);
    var apiRest = await MeasureAsync(() => PostAsync(http, apiUrl), requests);
    var apiRestWithMemory = await MeasureAsync(() => PostAsync(http, apiWithMemoryUrl), requests);
    var apiRestWithMemoryHop = await MeasureAsync(() => PostAsync(http, apiWithMemoryHopUrl), requests);
    using var socket = new ClientWebSocket();
    socket.Options.SetRequestHeader("X-API-Key", Key);
    await socket.ConnectAsync(new Uri($"ws://{apiUrl.Authority}/ws"), CancellationToken.None);
    var apiSocket = await MeasureSequentialAsync(() => TurnAsync(socket), requests / 4);
    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);

    Print("bare Kestrel, REST", bareRest);
    Print("Jarvis.Api, REST /api/chat", apiRest);
    Print("Jarvis.Api + live memory, REST", apiRestWithMemory);
    Print("Jarvis.Api + Memory storing nothing, REST", apiRestWithMemoryHop);
    Print("Jarvis.Api, one WebSocket (sequential)", apiSocket);
    Console.WriteLine(Format($"REST throughput: Jarvis.Api is {apiRest.PerSecond / bareRest.PerSecond:P0} of bare Kestrel; p50 {apiRest.P50 / bareRest.P50:F1}x its latency"));
    Console.WriteLine(Format($"With a live memory (each turn recorded): {apiRestWithMemory.PerSecond / bareRest.PerSecond:P0} of bare Kestrel; p50 {apiRestWithMemory.P50 / bareRest.P50:F1}x its latency"));
}
finally
{
    foreach (var process in new[] { api, apiWithMemory, apiWithMemoryHop, apiWithTelemetry, apiSampled, memory })
    {
        process.Kill(entireProcessTree: true);
        process.Dispose();
    }

    data.Delete(recursive: true);
}

return;

(Process Process, Uri Url) StartApi(string memoryAddress, Dictionary<string, string>? extra = null)
{
    var environment = new Dictionary<string, string>
    {
        ["Jarvis__ApiKey"] = Key,
        ["Jarvis__MemoryUrl"] = memoryAddress,
        ["Jarvis__VoiceUrl"] = "http://127.0.0.1:1",
        ["Jarvis__ChatRequestsPerMinute"] = "100000000",
        ["Jarvis__WebSocket__MessagesPerWindow"] = "100000",
    };
    foreach (var (name, value) in extra ?? [])
    {
        environment[name] = value;
    }

    return StartService("Jarvis.Api", environment);
}

(Process Process, Uri Url) StartService(string project, Dictionary<string, string> environment)
{
    var url = new Uri($"http://127.0.0.1:{FreePort()}");
    var start = new ProcessStartInfo("dotnet", [Path.Combine(root, project, "bin", "Release", "net10.0", project + ".dll")])
    {
        WorkingDirectory = Path.Combine(root, project),
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    };
    start.Environment["ASPNETCORE_URLS"] = url.ToString();
    start.Environment["Logging__LogLevel__Default"] = "Warning";
    foreach (var (name, value) in environment)
    {
        start.Environment[name] = value;
    }

    var process = Process.Start(start)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, _) => { };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return (process, url);
}

static async Task PostAsync(HttpClient http, Uri baseAddress)
{
    using var response = await http.PostAsJsonAsync(new Uri(baseAddress, "/api/chat"), new { message = "hello", userId = "bench" });
    response.EnsureSuccessStatusCode();
    await response.Content.ReadAsByteArrayAsync();
}

static async Task TurnAsync(ClientWebSocket socket)
{
    await socket.SendAsync("""{"type":"message","text":"hello","user_id":"bench"}"""u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
    var buffer = new byte[16 * 1024];
    while (true)
    {
        var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
        if (Encoding.UTF8.GetString(buffer, 0, result.Count).Contains("\"type\":\"done\"", StringComparison.Ordinal))
        {
            return;
        }
    }
}

static async Task<Result> MeasureAsync(Func<Task> call, int count)
{
    for (var i = 0; i < 100; i++)
    {
        await call();
    }

    var latencies = new double[count];
    var next = -1;
    var total = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < count)
        {
            var started = Stopwatch.GetTimestamp();
            await call();
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
    }));
    return Result.Of(latencies, total.Elapsed);
}

static async Task<Result> MeasureSequentialAsync(Func<Task> call, int count)
{
    for (var i = 0; i < 50; i++)
    {
        await call();
    }

    var latencies = new double[count];
    var total = Stopwatch.StartNew();
    for (var i = 0; i < count; i++)
    {
        var started = Stopwatch.GetTimestamp();
        await call();
        latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    return Result.Of(latencies, total.Elapsed);
}

static void Print(string name, Result result) =>
    Console.WriteLine(Format($"  {name,-40} {result.PerSecond,8:N0} req/s   p50 {result.P50,6:F2} ms   p95 {result.P95,6:F2} ms   p99 {result.P99,6:F2} ms"));

static string Format(FormattableString text) => FormattableString.Invariant(text);

internal sealed record Result(double PerSecond, double P50, double P95, double P99)
{
    public static Result Of(double[] latencies, TimeSpan total)
    {
        var sorted = latencies.Order().ToArray();
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        return new Result(latencies.Length / total.TotalSeconds, At(0.50), At(0.95), At(0.99));
    }
}

/// <summary>The body of Jarvis.Memory's <c>POST /api/turns</c>, as the memory stand-in reads it.</summary>
internal sealed record AppendTurns(IReadOnlyList<AppendTurns.Turn> Turns)
{
    internal sealed record Turn(string UserId, string ConversationId, string Role, string Text);
}
