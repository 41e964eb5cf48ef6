using System.Net.Http.Json;
using Jarvis.Hosting.Testing;
using Jarvis.Tests.Stack;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Jarvis.Tests.Dashboard.Browser;

/// <summary>
/// A chat request to the real stack, followed through the dashboard in a browser: its trace across api and memory, the
/// trace's structured logs, the request-duration chart, and the GenAI page.
/// </summary>
[Collection(StackTestGroup.Name)]
public sealed class TelemetryPagesBrowserTests(ChromiumFixture chromium, DashboardStackFixture stack)
    : IClassFixture<ChromiumFixture>, IClassFixture<DashboardStackFixture>
{
    // Services export every second; a first request also waits for JIT and the first batch.
    private static readonly PageAssertionsToHaveURLOptions s_navigation = new() { Timeout = 30_000 };
    private static readonly LocatorAssertionsToBeVisibleOptions s_telemetry = new() { Timeout = 30_000 };

    [Fact]
    public async Task AChatRequestShowsUpAsATraceWithLogsAndMetrics()
    {
        var ct = TestContext.Current.CancellationToken;
        using var api = new HttpClient { BaseAddress = stack.App.GetEndpoint("api") };
        api.DefaultRequestHeaders.Add("X-API-Key", DashboardStackFixture.ApiKey);
        var chat = await api.PostAsJsonAsync("/api/chat", new { message = "Remember that my favourite colour is teal." }, ct);
        Assert.True(chat.IsSuccessStatusCode, await chat.Content.ReadAsStringAsync(ct));

        var page = await chromium.LogInAsync(stack.LoginUrl);
        await page.GotoAsync(new Uri(stack.LoginUrl, "/traces?resource=api&text=chat").ToString());
        var trace = page.Locator("#traces tr", new() { HasText = "memory" }).Filter(new() { HasText = "/api/chat" }).First;
        await Expect(trace).ToBeVisibleAsync(s_telemetry);
        await ChromiumFixture.ScreenshotAsync(page, "traces");

        await trace.ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/traces/[0-9a-f]{32}$"), s_navigation);
        await Expect(page.Locator(".waterfall .row[data-resource='memory']").First).ToBeVisibleAsync(s_telemetry);
        await page.Locator(".waterfall .row[data-resource='api']").First.ClickAsync();
        await Expect(page.Locator("#span")).ToContainTextAsync("Attributes");
        await ChromiumFixture.ScreenshotAsync(page, "trace");

        await page.GetByRole(AriaRole.Link, new() { Name = "logs of this trace" }).ClickAsync();
        await Expect(page.Locator("#logs tr").First).ToBeVisibleAsync(s_telemetry);
        await page.Locator("#logs tr").First.ClickAsync();
        await Expect(page.Locator("#detail")).ToContainTextAsync("Attributes");
        await ChromiumFixture.ScreenshotAsync(page, "structured-logs");

        await page.GotoAsync(new Uri(stack.LoginUrl, "/metrics?resource=api&meter=Microsoft.AspNetCore.Hosting&instrument=http.server.request.duration").ToString());
        // The chat's series may have one point so far: drawn as a dot, its line has no extent yet, so it is attached, not visible.
        await Expect(page.Locator("#chart svg polyline[data-line^='p95']").First).ToBeAttachedAsync(new() { Timeout = 30_000 });
        await Expect(page.Locator("#legend")).ToContainTextAsync("p95");
        await ChromiumFixture.ScreenshotAsync(page, "metrics");

        await page.GotoAsync(new Uri(stack.LoginUrl, "/genai").ToString());
        await Expect(page.Locator("header nav a[aria-current='page']")).ToHaveTextAsync("GenAI");
        await Expect(page.Locator("#calls tr").First).ToBeVisibleAsync();
        await ChromiumFixture.ScreenshotAsync(page, "genai");
        await page.Context.CloseAsync();
    }
}
