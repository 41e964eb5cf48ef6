using System.Diagnostics;
using System.Net.Http.Json;
using Jarvis.ServiceDefaults.Logging;
using Jarvis.Tests.Infrastructure;
using Jarvis.Tests.Infrastructure.Otlp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Jarvis.Tests.Reliability;

/// <summary>
/// The 36 secret shapes of <see cref="SecretCorpus"/> sent through log calls (message, template, values, scopes),
/// exceptions thrown in a request, span attributes, events, exceptions and statuses, and requests (bodies the Api logs,
/// wrong X-API-Key and bearer headers, query strings, URL paths, a password in a dependency's URL): 0 reach the console
/// of a running Api, the JSON log file, the log records any provider receives, or OTLP (every export searched byte by
/// byte). Each test first finds, in every channel, the record or span of each request, so a channel that carried
/// nothing cannot pass.
/// </summary>
public sealed class SecretLeakTests : IDisposable
{
    private static readonly ActivitySource s_source = new("Jarvis.Tests.SecretLeaks");

    private readonly string _directory = Directory.CreateTempSubdirectory("jarvis-secret-leaks-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>36 shapes × 3 placements: alone, in a sentence, and in a stack trace's line.</summary>
    [Fact]
    public void EveryShapeIsScrubbedWhereverItStands()
    {
        Assert.True(SecretCorpus.All.Count >= 30);
        Assert.Equal(SecretCorpus.All.Count, SecretCorpus.All.Select(s => s.Secret).Distinct().Count());
        foreach (var shape in SecretCorpus.All)
        {
            foreach (var text in new[] { shape.Text, $"upstream said: {shape.Text} (retrying in 2 s)", $"Exception: call failed\n   at Send({shape.Text})\n" })
            {
                var scrubbed = SecretScrubber.Scrub(text);
                Assert.False(scrubbed.Contains(shape.Secret, StringComparison.Ordinal), $"{shape.Name} left in: {scrubbed}");
                Assert.Contains(SecretScrubber.Mask, scrubbed, StringComparison.Ordinal);
                Assert.Equal(scrubbed, SecretScrubber.Scrub(scrubbed));
            }
        }
    }

    /// <summary>
    /// In-process, a service with the Jarvis defaults writes each shape into a log message, a template, a value and a
    /// scope, into a span's attribute, event, exception and status and the server span, and then throws it in an
    /// exception: 36 requests, none of whose secrets reach the JSON log file, the records providers receive, or OTLP.
    /// </summary>
    [Fact]
    public async Task SecretsInLogCallsExceptionsAndSpansReachNoChannel()
    {
        var logFile = Path.Combine(_directory, "leaks-.log");
        await using var receiver = await OtlpReceiver.StartAsync(Ct);
        var service = await TestService.StartAsync(Ct, map: app =>
        {
            app.UseExceptionHandler();
            app.MapGet("/leak/{index:int}", (int index, HttpContext context, ILogger<SecretLeakTests> logger) =>
            {
                var text = SecretCorpus.All[index].Text;
                logger.LogWarning("upstream answered {Reply}", text);
#pragma warning disable CA2254 // A secret written into the template itself is what this checks.
                logger.LogWarning("literal: " + text);
#pragma warning restore CA2254
                using (logger.BeginScope(new Dictionary<string, object?> { ["upstream"] = text }))
                {
                    logger.LogInformation("calling upstream");
                }

                context.Features.Get<IHttpActivityFeature>()?.Activity.SetTag("leak.note", text);
                using (var span = s_source.StartActivity("leak"))
                {
                    span?.SetTag("upstream.reply", text);
                    span?.AddEvent(new ActivityEvent("reply", tags: new ActivityTagsCollection { ["body"] = text }));
                    span?.AddException(new InvalidOperationException(text));
                    span?.SetStatus(ActivityStatusCode.Error, text);
                }

                throw new InvalidOperationException($"upstream failed: {text}");
            });
        }, settings: new Dictionary<string, string?>(Otlp(receiver, "secret-leaks")) { ["Logging:File:Path"] = logFile });

        await using (service)
        {
            using var client = service.CreateClient();
            for (var i = 0; i < SecretCorpus.All.Count; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/leak/{i}");
                request.Headers.Add("X-Request-ID", $"leak-{i}");
                using var response = await client.SendAsync(request, Ct);
                Assert.Equal(500, (int)response.StatusCode);
            }

            // Every request's log record and span reached OTLP before anything is searched.
            for (var i = 0; i < SecretCorpus.All.Count; i++)
            {
                var id = $"leak-{i}";
                await Eventually.FindAsync(() => receiver.Spans.FirstOrDefault(s => s.Name == "leak" && s.Attribute("request_id") == id && s.Attribute("upstream.reply") is not null), $"the leak span of {id}", Ct);
                await Eventually.FindAsync(() => receiver.Logs.FirstOrDefault(l => l.Attribute("request_id") == id && l.Message.StartsWith("upstream answered", StringComparison.Ordinal)), $"the log record of {id}", Ct);
                await Eventually.FindAsync(() => receiver.Logs.FirstOrDefault(l => l.Attribute("request_id") == id && l.Category.Contains("ExceptionHandler", StringComparison.Ordinal)), $"the exception record of {id}", Ct);
            }
        }

        var file = (await File.ReadAllLinesAsync(Assert.Single(Directory.GetFiles(_directory)), Ct)).ToList();
        for (var i = 0; i < SecretCorpus.All.Count; i++)
        {
            var id = $"leak-{i}";
            Assert.Contains(LeakChannels.RecordsOf(file, id), r => r.GetProperty("msg").GetString()!.StartsWith("upstream failed", StringComparison.Ordinal) || r.TryGetProperty("exception", out _));
            Assert.Contains(service.Logs.Records, r => Equals(r.Field("request_id"), id) && r.Exception is not null);
        }

        AssertNoSecret("the JSON log file", file.Select(LeakChannels.Decoded));
        AssertNoSecret("the records providers receive", service.Logs.Records.Select(r => r.AllText));
        AssertNoSecretInOtlp(receiver);
    }

    /// <summary>
    /// A built Jarvis.Api as a child process (real console in JSON, the file log, OTLP), its Memory URL carrying a
    /// password: per shape, a page error report with the secret in its message, stack and URL (the Api logs those), a
    /// request with the secret as a wrong X-API-Key or bearer token and in the query string, a chat message with it,
    /// and, for the 21 shapes recognisable alone that fit in a path segment, a URL path with it: 129 requests, and no
    /// secret in any channel.
    /// </summary>
    [Fact]
    public async Task SecretsInRequestsReachNeitherTheConsoleNorTheFileLogNorOtlp()
    {
        const string key = "leak-test-api-key-0123456789";
        const string secondKey = "leak-test-api-key-9876543210"; // page error posts are limited to 30 a minute per key
        const string memoryPassword = "Mem-url-pass-fake-0123";
        await using var receiver = await OtlpReceiver.StartAsync(Ct);
        var variables = Otlp(receiver, "api-leaks").ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value!);
        variables["Jarvis__ApiKey"] = key;
        variables["Jarvis__ApiKeys__0"] = secondKey;
        variables["Jarvis__MemoryUrl"] = $"http://jarvis:{memoryPassword}@127.0.0.1:1";
        variables["Jarvis__VoiceUrl"] = "http://127.0.0.1:1";
        variables["Logging__File__Path"] = Path.Combine(_directory, "api-.log");
        variables["HttpResilience__Clients__MemoryClient__Retry__Delay"] = "00:00:00";
        variables["Jarvis__ChatRequestsPerMinute"] = "100000";
        await using var api = ServiceProcess.Start("Jarvis.Api", "Production", variables);
        await api.WaitUntilHealthyAsync(Ct);
        using var client = api.CreateClient();

        var shapes = SecretCorpus.All;
        for (var i = 0; i < shapes.Count; i++)
        {
            var shape = shapes[i];
            using var report = Keyed(HttpMethod.Post, "/api/client-events", $"ce-{i}", i % 2 == 0 ? key : secondKey);
            report.Content = JsonContent.Create(new { events = new[] { new
            {
                kind = "error", name = "TypeError", message = $"fetch failed: {shape.Text}", stack = $"at send ({shape.Text})",
                url = $"http://localhost:5080/?api_key={shape.Secret}",
            } } });
            Assert.Equal(202, (int)(await client.SendAsync(report, Ct)).StatusCode);

            using var wrong = new HttpRequestMessage(HttpMethod.Get, $"/api/conversations?userId=alice&api_key={Uri.EscapeDataString(shape.Secret)}&access_token={Uri.EscapeDataString(shape.Secret)}");
            wrong.Headers.Add("X-Request-ID", $"q-{i}");
            wrong.Headers.TryAddWithoutValidation(i % 2 == 0 ? "X-API-Key" : "Authorization", i % 2 == 0 ? shape.Secret : $"Bearer {shape.Secret}");
            Assert.Equal(401, (int)(await client.SendAsync(wrong, Ct)).StatusCode);

            using var chat = Keyed(HttpMethod.Post, "/api/chat", $"m-{i}", key);
            chat.Content = JsonContent.Create(new { message = $"remember my key: {shape.Text}", userId = "alice" });
            Assert.Equal(200, (int)(await client.SendAsync(chat, Ct)).StatusCode);

            if (InPath(shape))
            {
                using var path = Keyed(HttpMethod.Get, $"/api/conversations/{Uri.EscapeDataString(shape.Text)}?userId=alice", $"p-{i}", key);
                Assert.Equal(503, (int)(await client.SendAsync(path, Ct)).StatusCode); // memory is down
            }
        }

        // Each request's span and the page errors' records reached OTLP.
        for (var i = 0; i < shapes.Count; i++)
        {
            foreach (var id in new[] { $"ce-{i}", $"q-{i}", $"m-{i}" }.Concat(InPath(shapes[i]) ? [$"p-{i}"] : []))
            {
                await Eventually.FindAsync(() => receiver.Spans.FirstOrDefault(s => s.Kind == "Server" && s.Attribute("request_id") == id), $"the server span of {id}", Ct);
            }

            await Eventually.FindAsync(() => receiver.Logs.FirstOrDefault(l => l.Attribute("request_id") == $"ce-{i}" && l.Message.StartsWith("client error", StringComparison.Ordinal)), $"the client error of ce-{i}", Ct);
        }

        Assert.Equal(0, await api.TerminateAsync(Ct));
        var console = api.Output.ToList();
        var file = (await File.ReadAllLinesAsync(Assert.Single(Directory.GetFiles(_directory)), Ct)).ToList();
        for (var i = 0; i < shapes.Count; i++)
        {
            foreach (var lines in new[] { console, file })
            {
                Assert.Contains(LeakChannels.RecordsOf(lines, $"ce-{i}"), r => r.GetProperty("msg").GetString()!.StartsWith("client error", StringComparison.Ordinal));
                Assert.Contains(LeakChannels.RecordsOf(lines, $"q-{i}"), r => r.GetProperty("msg").GetString()!.StartsWith("request served", StringComparison.Ordinal));
            }
        }

        Assert.Contains(console, l => l.Contains("127.0.0.1:1", StringComparison.Ordinal)); // the memory URL was logged, without its password
        AssertNoSecret("the console", console.Select(LeakChannels.Decoded), memoryPassword);
        AssertNoSecret("the file log", file.Select(LeakChannels.Decoded), memoryPassword);
        AssertNoSecretInOtlp(receiver, memoryPassword);
    }

    // A credential recognisable alone that fits in a path segment (not a PEM block, not a URL): 21 of the shapes.
    private static bool InPath(SecretShape shape) => shape.ByShape && !shape.Text.Any(char.IsWhiteSpace) && !shape.Text.Contains("://", StringComparison.Ordinal);

    private static HttpRequestMessage Keyed(HttpMethod method, string path, string requestId, string key)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Request-ID", requestId);
        request.Headers.Add("X-API-Key", key);
        return request;
    }

    private static Dictionary<string, string?> Otlp(OtlpReceiver receiver, string serviceName) => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.HttpEndpoint.ToString(),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_EXPORTER_OTLP_HEADERS"] = $"x-otlp-api-key={receiver.ApiKey}",
        ["OTEL_SERVICE_NAME"] = serviceName,
        ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        ["OTEL_BLRP_SCHEDULE_DELAY"] = "100",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "60000",
    };

    private static void AssertNoSecret(string channel, IEnumerable<string> texts, params string[] more)
    {
        var all = texts.ToList();
        Assert.NotEmpty(all);
        var leaked = SecretCorpus.All.Select(s => (s.Name, s.Secret)).Concat(more.Select(m => ("configured", m)))
            .Where(s => all.Any(t => t.Contains(s.Item2, StringComparison.Ordinal)))
            .Select(s => $"{s.Item1}: {all.First(t => t.Contains(s.Item2, StringComparison.Ordinal))}")
            .ToList();
        Assert.True(leaked.Count == 0, $"{leaked.Count} secrets reached {channel}:\n{string.Join("\n", leaked.Take(5))}");
    }

    private static void AssertNoSecretInOtlp(OtlpReceiver receiver, params string[] more)
    {
        Assert.NotEmpty(receiver.Bodies);
        var leaked = SecretCorpus.All.Select(s => (s.Name, s.Secret)).Concat(more.Select(m => ("configured", m)))
            .Where(s => LeakChannels.OtlpHolds(receiver, s.Item2))
            .Select(s => $"{s.Item1}: {Context(receiver, s.Item2)}")
            .ToList();
        Assert.True(leaked.Count == 0, $"{leaked.Count} secrets reached OTLP:\n{string.Join("\n", leaked.Take(5))}");
    }

    // Where in the exports a secret was: the span or log text around it.
    private static string Context(OtlpReceiver receiver, string secret) =>
        receiver.Spans.Where(s => s.Attributes.Values.Any(v => v.Contains(secret, StringComparison.Ordinal))).Select(s => $"span {s.Name}: " + string.Join(", ", s.Attributes.Where(a => a.Value.Contains(secret, StringComparison.Ordinal))))
            .Concat(receiver.Logs.Where(l => l.AllText().Contains(secret, StringComparison.Ordinal)).Select(l => $"log {l.Category}: {l.AllText()}"))
            .FirstOrDefault() ?? "(in an event, a status or a resource)";
}
