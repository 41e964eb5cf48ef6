using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Jarvis.ServiceDefaults.Http;
using Jarvis.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace Jarvis.Tests.ServiceDefaults;

/// <summary>
/// Microsoft.Extensions.Http.Resilience's standard pipeline, which every <see cref="IHttpClientFactory"/> client gets
/// from the service defaults (one per client, named <c>NAME-standard</c>), exercised against a real Kestrel downstream
/// that scripts its answers and counts what arrives. Events are read from Polly's meter and Polly's log records.
/// </summary>
public sealed class ResilienceTests
{
    /// <summary>Short retry delays so retries take milliseconds, not seconds.</summary>
    private static Dictionary<string, string?> FastSettings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["HttpResilience:Retry:Delay"] = "00:00:00.010",
            ["HttpResilience:Retry:UseJitter"] = "false",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>Circuit breaker settings that open the circuit after two failures in a row.</summary>
    private static Dictionary<string, string?> BreakerSettings(string breakDuration) => FastSettings(
        ("HttpResilience:CircuitBreaker:MinimumThroughput", "2"),
        ("HttpResilience:CircuitBreaker:FailureRatio", "0.5"),
        ("HttpResilience:CircuitBreaker:BreakDuration", breakDuration));

    /// <summary>
    /// Every client retries nothing, so each call is one attempt: the library has no "0 retries" (MaxRetryAttempts is at
    /// least 1), so the retry predicate says no, in code, through ConfigureResilience on the defaults' builder.
    /// </summary>
    private static void NoRetries(HostApplicationBuilder builder) =>
        builder.Services.ConfigureHttpClientDefaults(http => http.ConfigureResilience(options => options.Retry.ShouldHandle = static _ => ValueTask.FromResult(false)));

    [Fact]
    public async Task TransientFailuresAreRetriedUntilSuccessAndThePostBodyArrivesIntactEveryTime()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var downstream = await Downstream.StartScriptedAsync(ct, 503, 503, 200);
        using var clients = ClientHost.Build(FastSettings());
        using var client = clients.CreateClient("transient", downstream.BaseAddress);

        using var response = await client.PostAsJsonAsync("/orders", new { name = "jarvis", count = 42 }, ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, downstream.Arrivals.Count);
        Assert.All(downstream.Arrivals, arrival =>
        {
            Assert.Equal("POST", arrival.Method);
            Assert.Equal("/orders", arrival.Path);
            Assert.Equal("""{"name":"jarvis","count":42}""", arrival.Body);
            Assert.StartsWith("application/json", arrival.ContentType, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task ForwardOnlyBodyIsResentIntactOnRetry()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var downstream = await Downstream.StartScriptedAsync(ct, 503, 200);
        using var clients = ClientHost.Build(FastSettings());
        using var client = clients.CreateClient("forward-only", downstream.BaseAddress);
        using var content = new StreamContent(new ForwardOnlyStream("audio bytes"u8.ToArray()));

        using var response = await client.PostAsync("/upload", content, ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["audio bytes", "audio bytes"], downstream.Arrivals.Select(a => a.Body));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    public async Task ClientErrorIsNotRetried(int status)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var downstream = await Downstream.StartScriptedAsync(ct, status, 200);
        using var clients = ClientHost.Build(FastSettings());
        using var client = clients.CreateClient("client-error", downstream.BaseAddress);

        using var response = await client.GetAsync("/resource", ct);

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Single(downstream.Arrivals);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(408)]
    [InlineData(429)]
    public async Task TransientStatusIsRetriedUpToMaxRetryAttempts(int status)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var downstream = await Downstream.StartScriptedAsync(ct, status);
        using var clients = ClientHost.Build(FastSettings());
        using var client = clients.CreateClient("transient-status", downstream.BaseAddress);

        using var response = await client.GetAsync("/resource", ct);

        // The first attempt and the default 3 retries; the last answer is the caller's.
        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Equal(4, downstream.Arrivals.Count);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(408)]
    [InlineData(429)]
    public async Task TransientStatusThenSuccessReturnsTheSuccess(int status)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var downstream = await Downstream.StartScriptedAsync(ct, status, 200);
        using var clients = ClientHost.Build(FastSettings());
        using var client = clients.CreateClient("transient-then-ok", downstream.BaseAddress);

        using var response = await client.GetAsync("/resource", ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, downstream.Arrivals.Count);
    }

    [Fact]
    public async Task RetryAfterHeaderSetsTheRetryDelay()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var downstream = await Downstream.StartAsync((arrival, context) =>
        {
            if (arrival == 1)
            {
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = "1";
            }

            return Task.CompletedTask;
        }, ct);
        using var clients = ClientHost.Build(FastSettings());
        using var client = clients.CreateClient("retry-after", downstream.BaseAddress);

        using var response = await client.GetAsync("/limited", ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var arrivals = downstream.Arrivals.ToArray();
        Assert.Equal(2, arrivals.Length);
        var gap = Stopwatch.GetElapsedTime(arrivals[0].Timestamp, arrivals[1].Timestamp);
        Assert.True(gap >= TimeSpan.FromMilliseconds(950), $"The retry came {gap.TotalMilliseconds} ms after the 429, not after Retry-After's 1 s.");

        // Polly logs the retry (its record has no delay field; the gap above is the delay).
        var retry = Assert.Single(clients.PollyEvents("OnRetry", "retry-after"));
        Assert.Equal(LogLevel.Warning, retry.Level);
        Assert.Equal("Standard-Retry", retry.Field("StrategyName"));
        Assert.Equal(429, retry.Field("Result"));
    }

    [Fact]
    public async Task CircuitOpensAfterFailuresAndRejectsCallsWithoutSendingThem()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var downstream = await Downstream.StartScriptedAsync(ct, 500);
        using var clients = ClientHost.Build(BreakerSettings("00:00:30"), NoRetries);
        using var events = ResilienceEvents.Start("breaker");
        using var client = clients.CreateClient("breaker", downstream.BaseAddress);

        using (var first = await client.GetAsync("/failing", ct))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        }

        using (var second = await client.GetAsync("/failing", ct))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, second.StatusCode);
        }

        await Assert.ThrowsAsync<BrokenCircuitException>(() => client.GetAsync("/failing", ct));

        Assert.Equal(2, downstream.Arrivals.Count);
        var opened = Assert.Single(events.Named("OnCircuitOpened"));
        Assert.Equal("breaker-standard", opened["pipeline.name"]);
        Assert.Equal("Standard-CircuitBreaker", opened["strategy.name"]);
        Assert.Equal("Error", opened["event.severity"]);
        var log = Assert.Single(clients.PollyEvents("OnCircuitOpened", "breaker"));
        Assert.Equal(LogLevel.Error, log.Level);
        Assert.Equal(500, log.Field("Result"));
    }

    [Fact]
    public async Task CircuitHalfOpensAfterTheBreakAndClosesOnASuccessfulProbe()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var downstream = await Downstream.StartScriptedAsync(ct, 500, 500, 200);
        using var clients = ClientHost.Build(BreakerSettings("00:00:00.500"), NoRetries);
        using var events = ResilienceEvents.Start("recovering");
        using var client = clients.CreateClient("recovering", downstream.BaseAddress);

        (await client.GetAsync("/flaky", ct)).Dispose();
        (await client.GetAsync("/flaky", ct)).Dispose();
        await Assert.ThrowsAsync<BrokenCircuitException>(() => client.GetAsync("/flaky", ct));
        await Task.Delay(TimeSpan.FromMilliseconds(600), ct);
        using var probe = await client.GetAsync("/flaky", ct);

        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        Assert.Equal(3, downstream.Arrivals.Count);
        Assert.Equal(
            ["OnCircuitOpened", "OnCircuitHalfOpened", "OnCircuitClosed"],
            events.All.Select(e => (string?)e["event.name"]));
        Assert.Equal(LogLevel.Warning, Assert.Single(clients.PollyEvents("OnCircuitHalfOpened", "recovering")).Level);
        Assert.Equal(LogLevel.Information, Assert.Single(clients.PollyEvents("OnCircuitClosed", "recovering")).Level);
    }

    [Fact]
    public async Task CircuitBreakerStateIsPerClientAndSurvivesHandlerRotation()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var downstream = await Downstream.StartScriptedAsync(ct, 500);
        using var clients = ClientHost.Build(BreakerSettings("00:00:30"), builder =>
        {
            NoRetries(builder);
            builder.Services.AddHttpClient("broken").SetHandlerLifetime(TimeSpan.FromSeconds(1));
        });
        var handlers = clients.Host.Services.GetRequiredService<IHttpMessageHandlerFactory>();
        var firstHandler = handlers.CreateHandler("broken");
        using var broken = new HttpClient(firstHandler, disposeHandler: false) { BaseAddress = downstream.BaseAddress };
        using var healthy = clients.CreateClient("healthy", downstream.BaseAddress);

        (await broken.GetAsync("/failing", ct)).Dispose();
        (await broken.GetAsync("/failing", ct)).Dispose();
        await Assert.ThrowsAsync<BrokenCircuitException>(() => broken.GetAsync("/failing", ct));

        // Another client of the same host is not affected: it has a pipeline of its own.
        using var response = await healthy.GetAsync("/failing", ct);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);

        // Once the factory has built a new handler chain for the client, the circuit is still open.
        var rotated = await Eventually.FindAsync(
            () => handlers.CreateHandler("broken") is var handler && !ReferenceEquals(handler, firstHandler) ? handler : null,
            "the factory to rotate the client's handler", ct);
        using var brokenAgain = new HttpClient(rotated, disposeHandler: false) { BaseAddress = downstream.BaseAddress };
        await Assert.ThrowsAsync<BrokenCircuitException>(() => brokenAgain.GetAsync("/failing", ct));
        Assert.Equal(3, downstream.Arrivals.Count);
    }

    [Fact]
    public async Task ConnectionFailureIsRetried()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = ClosedPort();
        using var clients = ClientHost.Build(FastSettings());
        using var events = ResilienceEvents.Start("refused");
        using var client = clients.CreateClient("refused", new Uri($"http://127.0.0.1:{port}"));

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/nothing-listens", ct));

        Assert.Equal(3, events.Named("OnRetry").Count);
        var retries = clients.PollyEvents("OnRetry", "refused");
        Assert.Equal(3, retries.Count);
        Assert.All(retries, r => Assert.IsType<HttpRequestException>(r.Exception));
    }

    [Fact]
    public async Task RetriesAreCountedOnPollysMeterWithTheClientsPipelineName()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var downstream = await Downstream.StartScriptedAsync(ct, 503, 502, 500, 200);
        using var clients = ClientHost.Build(FastSettings());
        using var events = ResilienceEvents.Start("counted");
        using var client = clients.CreateClient("counted", downstream.BaseAddress);

        using var response = await client.GetAsync("/resource", ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(4, downstream.Arrivals.Count);
        var retries = events.Named("OnRetry");
        Assert.Equal(3, retries.Count);
        Assert.All(retries, retry =>
        {
            Assert.Equal("counted-standard", retry["pipeline.name"]);
            Assert.Equal("Standard-Retry", retry["strategy.name"]);
            Assert.Equal("Warning", retry["event.severity"]);
        });
        Assert.DoesNotContain(events.All, e => !Equals(e["event.name"], "OnRetry"));
        Assert.Equal(3, clients.PollyEvents("OnRetry", "counted").Count);
    }

    [Fact]
    public async Task ASuccessfulCallLogsNothingAboveDebug()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var downstream = await Downstream.StartScriptedAsync(ct, 200);
        using var clients = ClientHost.Build(FastSettings(("Logging:LogLevel:Polly", "Debug")));
        using var client = clients.CreateClient("quiet", downstream.BaseAddress);

        using var response = await client.GetAsync("/resource", ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var polly = clients.Logs.Records.Where(r => r.Category == "Polly" && Equals(r.Field("PipelineName"), "quiet-standard")).ToList();
        Assert.NotEmpty(polly);
        Assert.All(polly, r => Assert.Equal(LogLevel.Debug, r.Level));
    }

    [Fact]
    public async Task DefaultClientIsResilientAndCountedUnderItsEmptyName()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var downstream = await Downstream.StartScriptedAsync(ct, 503, 200);
        using var clients = ClientHost.Build(FastSettings());
        using var events = ResilienceEvents.Start(Options.DefaultName);
        using var client = clients.Host.Services.GetRequiredService<IHttpClientFactory>().CreateClient();
        client.BaseAddress = downstream.BaseAddress;

        using var response = await client.GetAsync("/resource", ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, downstream.Arrivals.Count);
        var retry = Assert.Single(events.Named("OnRetry"));
        Assert.Equal("-standard", retry["pipeline.name"]);
    }

    [Fact]
    public async Task AttemptTimeoutIsRetried()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var downstream = await Downstream.StartAsync(async (arrival, context) =>
        {
            if (arrival == 1)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                await context.Response.WriteAsync("slow", context.RequestAborted);
                return;
            }

            await context.Response.WriteAsync("fast", context.RequestAborted);
        }, ct);
        using var clients = ClientHost.Build(FastSettings(("HttpResilience:AttemptTimeout:Timeout", "00:00:00.500")));
        using var events = ResilienceEvents.Start("attempt-timeout");
        using var client = clients.CreateClient("attempt-timeout", downstream.BaseAddress);

        using var response = await client.GetAsync("/hangs-once", ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("fast", await response.Content.ReadAsStringAsync(ct));
        Assert.Equal(2, downstream.Arrivals.Count);
        var timeout = Assert.Single(events.Named("OnTimeout"));
        Assert.Equal("Standard-AttemptTimeout", timeout["strategy.name"]);
        Assert.Single(events.Named("OnRetry"));
        Assert.Equal(LogLevel.Error, Assert.Single(clients.PollyEvents("OnTimeout", "attempt-timeout")).Level);
        var retry = Assert.Single(clients.PollyEvents("OnRetry", "attempt-timeout"));
        Assert.IsType<TimeoutRejectedException>(retry.Exception);
    }

    [Fact]
    public async Task TotalRequestTimeoutEndsTheCallAcrossRetries()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var downstream = await Downstream.StartAsync(async (_, context) =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        }, ct);
        using var clients = ClientHost.Build(FastSettings(
            ("HttpResilience:AttemptTimeout:Timeout", "00:00:00.200"),
            ("HttpResilience:TotalRequestTimeout:Timeout", "00:00:01"),
            ("HttpResilience:Retry:MaxRetryAttempts", "100")));
        using var events = ResilienceEvents.Start("total-timeout");
        using var client = clients.CreateClient("total-timeout", downstream.BaseAddress);

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => client.GetAsync("/hangs", ct));

        // 1 s of 0.2 s attempts: a few attempts, nowhere near the 101 allowed.
        Assert.InRange(downstream.Arrivals.Count, 2, 10);
        Assert.Contains(events.Named("OnTimeout"), e => Equals(e["strategy.name"], "Standard-TotalRequestTimeout"));
    }

    [Fact]
    public async Task WithoutRetrySendsTheRequestOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var downstream = await Downstream.StartScriptedAsync(ct, 503);
        using var clients = ClientHost.Build(FastSettings());
        using var client = clients.CreateClient("once", downstream.BaseAddress);

        using var once = new HttpRequestMessage(HttpMethod.Post, "/payments") { Content = new StringContent("pay 10") }.WithoutRetry();
        using var onceResponse = await client.SendAsync(once, ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, onceResponse.StatusCode);
        Assert.Equal("pay 10", Assert.Single(downstream.Arrivals).Body);

        // The same client without the switch retries.
        using var retried = new HttpRequestMessage(HttpMethod.Post, "/payments");
        using var retriedResponse = await client.SendAsync(retried, ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, retriedResponse.StatusCode);
        Assert.Equal(5, downstream.Arrivals.Count);
    }

    [Fact]
    public async Task WithoutRetryAlsoSendsOnceWhenTheConnectionFails()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = ClosedPort();
        using var clients = ClientHost.Build(FastSettings());
        using var events = ResilienceEvents.Start("once-refused");
        using var client = clients.CreateClient("once-refused", new Uri($"http://127.0.0.1:{port}"));

        using var once = new HttpRequestMessage(HttpMethod.Get, "/nothing-listens").WithoutRetry();
        await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(once, ct));

        Assert.Empty(events.Named("OnRetry"));
    }

    [Fact]
    public async Task NamedClientConfigurationOverridesTheSharedOptions()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var downstream = await Downstream.StartScriptedAsync(ct, 503);
        using var clients = ClientHost.Build(FastSettings(("HttpResilience:Clients:oneretry:Retry:MaxRetryAttempts", "1")));
        using var oneRetry = clients.CreateClient("oneretry", downstream.BaseAddress);
        using var other = clients.CreateClient("other", downstream.BaseAddress);

        using var oneRetryResponse = await oneRetry.GetAsync("/oneretry", ct);
        using var otherResponse = await other.GetAsync("/other", ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, oneRetryResponse.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, otherResponse.StatusCode);
        Assert.Equal(2, downstream.Count("/oneretry"));
        Assert.Equal(4, downstream.Count("/other"));
    }

    [Fact]
    public async Task ConfigureResilienceChangesOneClientAfterConfiguration()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var downstream = await Downstream.StartScriptedAsync(ct, 503);
        using var clients = ClientHost.Build(
            FastSettings(("HttpResilience:Clients:coded:Retry:MaxRetryAttempts", "5")),
            builder => builder.Services.AddHttpClient("coded").ConfigureResilience(options => options.Retry.MaxRetryAttempts = 1));
        using var coded = clients.CreateClient("coded", downstream.BaseAddress);
        using var other = clients.CreateClient("other", downstream.BaseAddress);

        using var codedResponse = await coded.GetAsync("/coded", ct);
        using var otherResponse = await other.GetAsync("/other", ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, codedResponse.StatusCode);
        Assert.Equal(2, downstream.Count("/coded"));
        Assert.Equal(4, downstream.Count("/other"));
    }

    [Fact]
    public async Task RemoveAllResilienceHandlersLeavesAClientWithoutTheStandardPipeline()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var downstream = await Downstream.StartScriptedAsync(ct, 503);
#pragma warning disable EXTEXP0001 // The library's way to take a client out of the defaults; experimental in 11.0.
        using var clients = ClientHost.Build(FastSettings(), builder => builder.Services.AddHttpClient("off").RemoveAllResilienceHandlers());
#pragma warning restore EXTEXP0001
        using var events = ResilienceEvents.Start("off");
        using var off = clients.CreateClient("off", downstream.BaseAddress);
        using var on = clients.CreateClient("on", downstream.BaseAddress);

        using var offResponse = await off.GetAsync("/off", ct);
        using var onResponse = await on.GetAsync("/on", ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, offResponse.StatusCode);
        Assert.Equal(1, downstream.Count("/off"));
        Assert.Equal(4, downstream.Count("/on"));
        Assert.Empty(events.All);
    }

    [Fact]
    public async Task StreamingResponseFailingMidBodyIsNotRetried()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var downstream = await Downstream.StartAsync(async (arrival, context) =>
        {
            if (arrival == 1)
            {
                // A Content-Length the body never reaches makes the early end a premature end on every run: with chunked
                // encoding, a terminating chunk racing the abort could read as a clean, complete body.
                context.Response.ContentType = "text/plain";
                context.Response.ContentLength = 1024;
                await context.Response.WriteAsync("partial token stream", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(50, context.RequestAborted);
                context.Abort();
                return;
            }

            await context.Response.WriteAsync("a complete second answer", context.RequestAborted);
        }, ct);
        using var clients = ClientHost.Build(FastSettings());
        using var client = clients.CreateClient("stream", downstream.BaseAddress);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/stream");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var read = new MemoryStream();

        await Assert.ThrowsAnyAsync<IOException>(() => body.CopyToAsync(read, ct));

        Assert.Equal("partial token stream", Encoding.UTF8.GetString(read.ToArray()));
        Assert.Single(downstream.Arrivals);
        Assert.Empty(clients.PollyEvents("OnRetry", "stream"));
    }

    [Fact]
    public async Task StreamingBodyMayOutlastTheTimeouts()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var downstream = await Downstream.StartAsync(async (_, context) =>
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("first token;", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(TimeSpan.FromMilliseconds(1500), context.RequestAborted);
            await context.Response.WriteAsync("last token", context.RequestAborted);
        }, ct);
        using var clients = ClientHost.Build(FastSettings(
            ("HttpResilience:AttemptTimeout:Timeout", "00:00:00.500"),
            ("HttpResilience:TotalRequestTimeout:Timeout", "00:00:01")));
        using var client = clients.CreateClient("slow-stream", downstream.BaseAddress);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/stream");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));

        // The timeouts bound the wait for the headers; the body is the caller's to read at its own pace.
        Assert.Equal("first token;last token", await reader.ReadToEndAsync(ct));
        Assert.Single(downstream.Arrivals);
    }

    [Fact]
    public async Task ConcurrencyLimitRejectsRequestsBeyondIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var downstream = await Downstream.StartAsync(async (arrival, context) =>
        {
            if (arrival == 1)
            {
                await release.Task.WaitAsync(context.RequestAborted);
            }
        }, ct);
        using var clients = ClientHost.Build(FastSettings(("HttpResilience:RateLimiter:DefaultRateLimiterOptions:PermitLimit", "1")));
        using var events = ResilienceEvents.Start("limited");
        using var client = clients.CreateClient("limited", downstream.BaseAddress);

        var first = client.GetAsync("/slow", ct);
        await Eventually.TrueAsync(() => Task.FromResult(downstream.Arrivals.Count == 1), "the first request to arrive", ct);

        await Assert.ThrowsAsync<RateLimiterRejectedException>(() => client.GetAsync("/slow", ct));
        Assert.Single(downstream.Arrivals);
        Assert.Single(events.Named("OnRateLimiterRejected"));

        release.SetResult();
        using var firstResponse = await first;
        Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);

        // The permit is back once the first call ends.
        using var after = await client.GetAsync("/slow", ct);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(2, downstream.Arrivals.Count);
    }

    [Fact]
    public async Task RetriesReachPrometheusOnPollysMeter()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var downstream = await Downstream.StartScriptedAsync(ct, 503, 200);
        await using var service = await TestService.StartAsync(ct, settings: FastSettings());
        using var client = service.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient("scraped");
        (await client.GetAsync(new Uri(downstream.BaseAddress, "/resource"), ct)).EnsureSuccessStatusCode();
        using var scraper = service.CreateClient();

        var exposition = await scraper.GetStringAsync("/metrics", ct);

        var line = Assert.Single(exposition.Split('\n'), l =>
            l.StartsWith("resilience_polly_strategy_events_total{", StringComparison.Ordinal)
            && l.Contains("pipeline_name=\"scraped-standard\"", StringComparison.Ordinal)
            && l.Contains("event_name=\"OnRetry\"", StringComparison.Ordinal));
        Assert.Contains("strategy_name=\"Standard-Retry\"", line, StringComparison.Ordinal);
        Assert.Equal("1", line[(line.IndexOf('}', StringComparison.Ordinal) + 1)..].Trim().Split(' ')[0]);
    }

    [Fact]
    public async Task InvalidSharedOptionsFailTheHostAtStart()
    {
        var ct = TestContext.Current.CancellationToken;
        using var clients = ClientHost.Build(FastSettings(("HttpResilience:AttemptTimeout:Timeout", "00:01:00")));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => clients.Host.StartAsync(ct));

        Assert.Contains(
            "HttpResilience (every HTTP client): TotalRequestTimeout:Timeout (00:00:30) must not be shorter than AttemptTimeout:Timeout (00:01:00).",
            error.Message,
            StringComparison.Ordinal);
        await clients.Host.StopAsync(ct);
    }

    [Theory]
    [InlineData("CircuitBreaker:MinimumThroughput", "1", "The field MinimumThroughput must be between 2 and 2147483647.")]
    [InlineData("Retry:MaxRetryAttempts", "0", "The field MaxRetryAttempts must be between 1 and 2147483647.")]
    [InlineData("AttemptTimeout:Timeout", "00:00:00", "The field Timeout must be between 00:00:00.0100000 and 1.00:00:00.")]
    public async Task InvalidNamedClientOptionsFailWhenThatClientIsCreated(string key, string value, string problem)
    {
        var ct = TestContext.Current.CancellationToken;
        using var clients = ClientHost.Build(FastSettings(($"HttpResilience:Clients:bad:{key}", value)));
        await clients.Host.StartAsync(ct);

        var error = Assert.Throws<OptionsValidationException>(() => clients.Host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("bad"));

        Assert.Equal("bad-standard", error.OptionsName);
        Assert.StartsWith("HttpResilience (HTTP client 'bad'): ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        using var good = clients.Host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("good");
        await clients.Host.StopAsync(ct);
    }

    [Theory]
    [InlineData("HttpResilience:AttemptTimeout", "00:00:05", null)]
    [InlineData("HttpResilience:MaxConcurrentRequests", "10", null)]
    [InlineData("HttpResilience:Clients:old:Enabled", "false", "old")]
    public async Task KeysOfOurEarlierPipelineFailClearlyInsteadOfBeingIgnored(string key, string value, string? client)
    {
        var ct = TestContext.Current.CancellationToken;
        using var clients = ClientHost.Build(FastSettings((key, value)));
        var factory = clients.Host.Services.GetRequiredService<IHttpClientFactory>();

        var error = client is null
            ? await Assert.ThrowsAsync<OptionsValidationException>(() => clients.Host.StartAsync(ct))
            : Assert.Throws<OptionsValidationException>(() => factory.CreateClient(client));

        Assert.StartsWith($"{key}: not a setting of the standard resilience pipeline.", error.Message, StringComparison.Ordinal);
        Assert.Contains("HttpResilience:AttemptTimeout:Timeout", error.Message, StringComparison.Ordinal);
        await clients.Host.StopAsync(ct);
    }

    private static int ClosedPort()
    {
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        return port;
    }

    /// <summary>A request as the downstream saw it.</summary>
    private sealed record Arrival(string Method, string Path, string Body, string? ContentType, long Timestamp);

    /// <summary>A Kestrel service that records every request to any path and answers as the test scripts.</summary>
    private sealed class Downstream : IAsyncDisposable
    {
        private int _count;
        private TestService? _service;

        public ConcurrentQueue<Arrival> Arrivals { get; } = new();

        public Uri BaseAddress => _service!.BaseAddress;

        public int Count(string path) => Arrivals.Count(a => a.Path == path);

        /// <summary>Starts the service; <paramref name="respond"/> gets the 1-based number of the arrival.</summary>
        public static async Task<Downstream> StartAsync(Func<int, HttpContext, Task> respond, CancellationToken cancellationToken)
        {
            var downstream = new Downstream();
            RequestDelegate handler = async context =>
            {
                var timestamp = Stopwatch.GetTimestamp();
                using var reader = new StreamReader(context.Request.Body);
                var body = await reader.ReadToEndAsync(context.RequestAborted);
                downstream.Arrivals.Enqueue(new Arrival(
                    context.Request.Method, context.Request.Path.Value ?? "", body, context.Request.ContentType, timestamp));
                await respond(Interlocked.Increment(ref downstream._count), context);
            };
            downstream._service = await TestService.StartAsync(cancellationToken, map: app => app.Map("/{**path}", handler));
            return downstream;
        }

        /// <summary>Answers the statuses in turn, then the last one for ever.</summary>
        public static Task<Downstream> StartScriptedAsync(CancellationToken cancellationToken, params int[] statuses) =>
            StartAsync((arrival, context) =>
            {
                context.Response.StatusCode = statuses[Math.Min(arrival, statuses.Length) - 1];
                return Task.CompletedTask;
            }, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            if (_service is not null)
            {
                await _service.DisposeAsync();
            }
        }
    }

    /// <summary>A host with the service defaults whose <see cref="IHttpClientFactory"/> makes the clients under test.</summary>
    private sealed class ClientHost : IDisposable
    {
        private ClientHost(IHost host, CapturingLoggerProvider logs)
        {
            Host = host;
            Logs = logs;
        }

        public IHost Host { get; }

        public CapturingLoggerProvider Logs { get; }

        public static ClientHost Build(IDictionary<string, string?> settings, Action<HostApplicationBuilder>? configure = null)
        {
            var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
            builder.Configuration.AddInMemoryCollection(settings);
            builder.AddServiceDefaults();
            var logs = builder.Logging.CaptureInsteadOfConsole();
            configure?.Invoke(builder);
            return new ClientHost(builder.Build(), logs);
        }

        public HttpClient CreateClient(string name, Uri baseAddress)
        {
            var client = Host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(name);
            client.BaseAddress = baseAddress;
            return client;
        }

        /// <summary>Polly's log records of event <paramref name="eventName"/> in client <paramref name="clientName"/>'s standard pipeline.</summary>
        public List<CapturedLog> PollyEvents(string eventName, string clientName) =>
            Logs.Records.Where(r => r.Category == "Polly"
                && Equals(r.Field("EventName"), eventName)
                && Equals(r.Field("PipelineName"), clientName + "-standard")).ToList();

        public void Dispose() => Host.Dispose();
    }

    /// <summary>
    /// The events one client's strategies count on Polly's meter (<c>resilience.polly.strategy.events</c>), each as its
    /// tags; the <c>PipelineExecuting</c> event the pipeline counts for every call has no strategy and is left out. The
    /// meter is process-wide, so only events raised in the flow of the test that started this are kept.
    /// </summary>
    private sealed class ResilienceEvents : IDisposable
    {
        private const string EventsInstrument = "resilience.polly.strategy.events";

        private static readonly AsyncLocal<ResilienceEvents?> s_current = new();

        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<IReadOnlyDictionary<string, object?>> _events = new();

        private ResilienceEvents(string clientName)
        {
            var pipelineName = clientName + "-standard";
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Polly" && instrument.Name == EventsInstrument)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
            {
                var captured = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var tag in tags)
                {
                    captured[tag.Key] = tag.Value;
                }

                if (!ReferenceEquals(s_current.Value, this)
                    || !Equals(captured.GetValueOrDefault("pipeline.name"), pipelineName)
                    || !captured.ContainsKey("strategy.name"))
                {
                    return;
                }

                for (var i = 0; i < value; i++)
                {
                    _events.Enqueue(captured);
                }
            });
            _listener.Start();
        }

        public IReadOnlyCollection<IReadOnlyDictionary<string, object?>> All => _events;

        /// <summary>Starts listening for client <paramref name="clientName"/>'s events raised in the caller's flow.</summary>
        public static ResilienceEvents Start(string clientName)
        {
            var events = new ResilienceEvents(clientName);

            // Set in a synchronous call, so the value stays in the caller's flow and every call it awaits.
            s_current.Value = events;
            return events;
        }

        public List<IReadOnlyDictionary<string, object?>> Named(string eventName) =>
            _events.Where(e => Equals(e["event.name"], eventName)).ToList();

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>A request body that can be read once, front to back, like a network or pipe stream.</summary>
    private sealed class ForwardOnlyStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

