using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Google.Protobuf;
using Jarvis.Hosting;
using Jarvis.Hosting.Dashboard;
using Jarvis.Hosting.Dashboard.Otlp;
using Jarvis.Hosting.Dashboard.Otlp.Proto.Collector;
using Jarvis.Hosting.Dashboard.Otlp.Proto.Common;
using Jarvis.Hosting.Dashboard.Otlp.Proto.Resource;
using Jarvis.Hosting.Dashboard.Otlp.Proto.Trace;
using Jarvis.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SpanKind = Jarvis.Hosting.Dashboard.Otlp.Proto.Trace.Span.Types.SpanKind;

// Measures the app host's own dashboard (an empty app model from the testing builder, on free ports): ingest
// throughput of its OTLP/HTTP receiver (pre-built protobuf export requests of 100 traces of 10 spans from two
// resources, posted by several clients at once) against parsing the same bodies in this process alone, in memory and
// with SQLite storage; then the time a headless Debian chromium takes to render the traces page, and the time of its
// JSON call, with the store full (10,000 traces, the default Dashboard:TelemetryLimits:MaxTraceCount) against a fresh
// dashboard holding 10 traces. Usage: bench/dashboard.sh [spans] (default 200,000).
var spans = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
const int TracesPerRequest = 100;
const int SpansPerTrace = 10;
const int Concurrency = 4;
const int Runs = 11;
const int MaxTraceCount = 10_000;
const int FewTraces = 10;
const string BrowserToken = "dashboardbenchbrowsertoken";
const string OtlpApiKey = "dashboardbenchotlpapikey";
const string Chromium = "/usr/bin/chromium";

var requests = Math.Max(1, spans / (TracesPerRequest * SpansPerTrace));
var bodies = Enumerable.Range(0, requests).Select(r => BuildRequest(r * TracesPerRequest, TracesPerRequest).ToByteArray()).ToArray();

// One per client, with traces past the requests' ids, so warming up never adds spans to a trace twice.
var warmUps = Enumerable.Range(requests, Concurrency).Select(r => BuildRequest(r * TracesPerRequest, TracesPerRequest).ToByteArray()).ToArray();
var stored = Math.Min((requests + Concurrency) * TracesPerRequest, MaxTraceCount);
Console.WriteLine(Format($"Dashboard: {requests * TracesPerRequest * SpansPerTrace:N0} spans in {requests:N0} requests of {TracesPerRequest} traces x {SpansPerTrace} spans ({bodies.Average(b => b.Length) / 1024:F0} KB each), {Concurrency} concurrent clients, {Environment.ProcessorCount} cores"));

var parsed = ParseSpansPerSecond(warmUps[0], bodies);
double inMemory, inSqlite;
(double Page, double Api, int Rows) full, few;
await using (var app = await StartDashboardAsync(sqlitePath: null))
{
    inMemory = await IngestSpansPerSecondAsync(app, warmUps, bodies);
    full = await MeasureTracesPageAsync(app);
}

var sqlitePath = Path.Combine(Directory.CreateTempSubdirectory("jarvis-bench-dashboard-").FullName, "dashboard.db");
try
{
    await using var app = await StartDashboardAsync(sqlitePath);
    inSqlite = await IngestSpansPerSecondAsync(app, warmUps, bodies);
}
finally
{
    Directory.Delete(Path.GetDirectoryName(sqlitePath)!, recursive: true);
}

await using (var app = await StartDashboardAsync(sqlitePath: null))
{
    using var client = OtlpClient();
    await PostAsync(client, TracesUrl(app), BuildRequest(0, FewTraces).ToByteArray());
    few = await MeasureTracesPageAsync(app);
}

Console.WriteLine(Format($"Parse only (ExportTraceServiceRequest.Parser, one thread): {parsed,12:N0} spans/s"));
Console.WriteLine(Format($"Ingest, memory storage (HTTP + parse + store):            {inMemory,12:N0} spans/s  {inMemory / parsed:P1} of parse only"));
Console.WriteLine(Format($"Ingest, SQLite storage (HTTP + parse + store + archive):  {inSqlite,12:N0} spans/s  {inSqlite / parsed:P1} of parse only, {inSqlite / inMemory:P0} of memory"));
Console.WriteLine(Format($"Traces page until its rows are shown (median of {Runs}): {full.Page:F0} ms with {stored:N0} traces stored ({full.Rows} rows), {few.Page:F0} ms with {FewTraces} ({few.Rows} rows): {full.Page / few.Page:F1}x"));
Console.WriteLine(Format($"GET /api/telemetry/traces (median of {Runs}): {full.Api:F1} ms with {stored:N0} traces stored, {few.Api:F1} ms with {FewTraces}: {full.Api / few.Api:F1}x"));
return;

static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

// A dashboard and receiver with known keys; an SQLite file as well when a path is given.
static async Task<DistributedApplication> StartDashboardAsync(string? sqlitePath)
{
    var builder = DistributedApplicationTestingBuilder.Create();
    builder.Configuration["Dashboard:BrowserToken"] = BrowserToken;
    builder.Configuration["Dashboard:OtlpApiKey"] = OtlpApiKey;
    if (sqlitePath is not null)
    {
        builder.Configuration["Dashboard:Storage"] = nameof(TelemetryStorage.Sqlite);
        builder.Configuration["Dashboard:SqlitePath"] = sqlitePath;
    }

    var app = await builder.BuildAsync();
    await app.StartAsync();
    return app;
}

static Uri TracesUrl(DistributedApplication app) =>
    new(app.Services.GetRequiredService<OtlpHttpServer>().Endpoint ?? throw new InvalidOperationException("The OTLP receiver did not start."), "/v1/traces");

static HttpClient OtlpClient() => new() { DefaultRequestHeaders = { { "x-otlp-api-key", OtlpApiKey } } };

static double ParseSpansPerSecond(byte[] warmUp, byte[][] bodies)
{
    ExportTraceServiceRequest.Parser.ParseFrom(warmUp);
    var count = 0;
    var stopwatch = Stopwatch.StartNew();
    foreach (var body in bodies)
    {
        count += SpanCount(ExportTraceServiceRequest.Parser.ParseFrom(body));
    }

    return count / stopwatch.Elapsed.TotalSeconds;
}

static int SpanCount(ExportTraceServiceRequest request) => request.ResourceSpans.Sum(r => r.ScopeSpans.Sum(s => s.Spans.Count));

// Each client takes the next body until none are left, so the receiver always has Concurrency requests to serve.
static async Task<double> IngestSpansPerSecondAsync(DistributedApplication app, byte[][] warmUps, byte[][] bodies)
{
    var url = TracesUrl(app);
    var clients = Enumerable.Range(0, Concurrency).Select(_ => OtlpClient()).ToArray();
    await Task.WhenAll(clients.Select((client, i) => PostAsync(client, url, warmUps[i])));
    var next = -1;
    var stopwatch = Stopwatch.StartNew();
    await Task.WhenAll(clients.Select(async client =>
    {
        for (var i = Interlocked.Increment(ref next); i < bodies.Length; i = Interlocked.Increment(ref next))
        {
            await PostAsync(client, url, bodies[i]);
        }
    }));
    var seconds = stopwatch.Elapsed.TotalSeconds;
    foreach (var client in clients)
    {
        client.Dispose();
    }

    return bodies.Length * TracesPerRequest * SpansPerTrace / seconds;
}

// Posts as an exporter does, and fails on any span the receiver did not take.
static async Task PostAsync(HttpClient client, Uri url, byte[] body)
{
    using var content = new ByteArrayContent(body);
    content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
    using var response = await client.PostAsync(url, content);
    response.EnsureSuccessStatusCode();
    var rejected = ExportTraceServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync()).PartialSuccess?.RejectedSpans ?? 0;
    if (rejected != 0)
    {
        throw new InvalidOperationException($"The receiver rejected {rejected} spans.");
    }
}

// From the navigation to /traces until the table shows as many rows as the API returns (its default page), in a
// logged-in chromium; and the API call alone.
static async Task<(double Page, double Api, int Rows)> MeasureTracesPageAsync(DistributedApplication app)
{
    var login = app.Services.GetRequiredService<DashboardServer>().LoginUrl ?? throw new InvalidOperationException("The dashboard did not start.");
    using var api = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = login };
    using (var loggedIn = await api.GetAsync(login))
    {
        loggedIn.EnsureSuccessStatusCode();
    }

    var tracesApi = new Uri("/api/telemetry/traces", UriKind.Relative);
    using var traces = JsonDocument.Parse(await api.GetByteArrayAsync(tracesApi));
    var rows = traces.RootElement.GetArrayLength();
    var apiMs = await MedianMillisecondsAsync(() => api.GetByteArrayAsync(tracesApi));

    using var playwright = await Playwright.CreateAsync();
    await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = Chromium,
        Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    var page = await browser.NewPageAsync();
    await page.GotoAsync(login.ToString());
    var tracesPage = new Uri(login, "/traces").ToString();
    var pageMs = await MedianMillisecondsAsync(async () =>
    {
        await page.GotoAsync(tracesPage);
        await page.WaitForFunctionAsync("n => document.querySelectorAll('#traces tr').length === n", rows);
    });
    return (pageMs, apiMs, rows);
}

// After one warm-up run (JIT, connections, the browser's cache of the page's scripts).
static async Task<double> MedianMillisecondsAsync(Func<Task> run)
{
    await run();
    var times = new double[Runs];
    for (var i = 0; i < Runs; i++)
    {
        var stopwatch = Stopwatch.StartNew();
        await run();
        times[i] = stopwatch.Elapsed.TotalMilliseconds;
    }

    Array.Sort(times);
    return times[Runs / 2];
}

// Chat turns as the services export them: the api's request with an LLM call and a call to memory, and memory's
// handling of it with its SQLite queries; one trace in 50 fails. Ids are derived from the trace's number.
static ExportTraceServiceRequest BuildRequest(int firstTrace, int traces)
{
    (string Name, SpanKind Kind, int Parent, bool Memory)[] shape =
    [
        ("POST /api/chat", SpanKind.Server, -1, false),
        ("auth", SpanKind.Internal, 0, false),
        ("chat gpt-4o-mini", SpanKind.Client, 0, false),
        ("chat gpt-4o-mini", SpanKind.Client, 0, false),
        ("POST", SpanKind.Client, 0, false),
        ("POST /memories/search", SpanKind.Server, 4, true),
        ("SELECT memories", SpanKind.Client, 5, true),
        ("SELECT memories", SpanKind.Client, 5, true),
        ("INSERT turns", SpanKind.Client, 5, true),
        ("COMMIT", SpanKind.Client, 5, true),
    ];
    var api = new ScopeSpans { Scope = new InstrumentationScope { Name = "Microsoft.AspNetCore", Version = "10.0.0" } };
    var memory = new ScopeSpans { Scope = new InstrumentationScope { Name = "Jarvis.Memory", Version = "1.0.0" } };
    var now = (ulong)(DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
    for (var trace = firstTrace; trace < firstTrace + traces; trace++)
    {
        var start = now + (ulong)(trace - firstTrace) * 1_000_000;
        for (var s = 0; s < SpansPerTrace; s++)
        {
            var (name, kind, parent, inMemory) = shape[s];
            var span = new Span
            {
                TraceId = Id(16, trace, 0),
                SpanId = Id(8, trace, s + 1),
                ParentSpanId = parent < 0 ? ByteString.Empty : Id(8, trace, parent + 1),
                Name = name,
                Kind = kind,
                StartTimeUnixNano = start + (ulong)s * 100_000,
                EndTimeUnixNano = start + 20_000_000 - (ulong)s * 100_000,
                Attributes = { SpanAttributes(kind, name, inMemory) },
                Status = trace % 50 == 0 && s == SpansPerTrace - 1 ? new Status { Code = Status.Types.StatusCode.Error, Message = "database is locked" } : null,
            };
            (inMemory ? memory : api).Spans.Add(span);
        }
    }

    return new ExportTraceServiceRequest
    {
        ResourceSpans =
        {
            new ResourceSpans { Resource = Service("api"), ScopeSpans = { api } },
            new ResourceSpans { Resource = Service("memory"), ScopeSpans = { memory } },
        },
    };
}

static Resource Service(string name) => new()
{
    Attributes = { Text("service.name", name), Text("service.instance.id", $"{name}-1"), Text("telemetry.sdk.name", "opentelemetry"), Text("telemetry.sdk.language", "dotnet"), Text("telemetry.sdk.version", "1.20.1") },
};

// What the ASP.NET Core, HttpClient, GenAI and SQLite instrumentations put on their spans.
static IEnumerable<KeyValue> SpanAttributes(SpanKind kind, string name, bool inMemory) => (kind, name) switch
{
    (SpanKind.Server, _) =>
    [
        Text("http.request.method", "POST"), Text("url.scheme", "http"), Text("url.path", name[5..]), Text("http.route", name[5..]),
        Text("server.address", "localhost"), Int("server.port", inMemory ? 5101 : 5100), Int("http.response.status_code", 200),
        Text("network.protocol.version", "1.1"), Text("user_agent.original", "Jarvis/1.0"),
    ],
    (SpanKind.Client, "POST") =>
    [
        Text("http.request.method", "POST"), Text("url.full", "http://localhost:5101/memories/search"), Text("server.address", "localhost"),
        Int("server.port", 5101), Int("http.response.status_code", 200), Text("network.protocol.version", "1.1"),
    ],
    (SpanKind.Client, _) when inMemory =>
    [
        Text("db.system.name", "sqlite"), Text("db.namespace", "memory.db"), Text("db.query.text", $"{name} WHERE user_id = $user ORDER BY created DESC LIMIT 5"),
    ],
    (SpanKind.Client, _) =>
    [
        Text("gen_ai.operation.name", "chat"), Text("gen_ai.system", "openai"), Text("gen_ai.request.model", "gpt-4o-mini"),
        Int("gen_ai.usage.input_tokens", 412), Int("gen_ai.usage.output_tokens", 96),
    ],
    _ => [Text("enduser.id", "user-1")],
};

static KeyValue Text(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

static KeyValue Int(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };

// The trace's number in the id's first four bytes and the span's in its last, so ids are unique and never zero.
static ByteString Id(int length, int trace, int span)
{
    var bytes = new byte[length];
    BinaryPrimitives.WriteInt32BigEndian(bytes, trace + 1);
    BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(length - 4), span);
    return ByteString.CopyFrom(bytes);
}
