using System.Globalization;
using Jarvis.Hosting.Dashboard.Telemetry;
using Attribute = Jarvis.Hosting.Dashboard.Telemetry.Attribute;
using Jarvis.Hosting.Orchestration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Jarvis.Tests.Dashboard.Browser;

/// <summary>
/// The pages in a real browser against a small app host: the resource list, a resource's details, the console, and
/// the list pages with 10,000 rows stored.
/// </summary>
public sealed class DashboardPagesBrowserTests(ChromiumFixture chromium, PainterAppFixture painter)
    : IClassFixture<ChromiumFixture>, IClassFixture<PainterAppFixture>
{
    [Fact]
    public async Task TheLoginOpensTheResourceListWithStateSourceAndActions()
    {
        var page = await chromium.LogInAsync(painter.LoginUrl);

        var row = page.Locator($"tr[data-resource='{PainterAppFixture.Resource}']");
        await Expect(row).ToContainTextAsync("Running");
        await Expect(row).ToContainTextAsync("Executable");
        await Expect(row).ToContainTextAsync("sh -c");
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "restart" })).ToBeVisibleAsync();
        await Expect(page.Locator("header nav a[aria-current='page']")).ToHaveTextAsync("Resources");
        await ChromiumFixture.ScreenshotAsync(page, "resources");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ASecretIsMaskedInTheDetailsUntilRevealed()
    {
        var page = await chromium.LogInAsync(painter.LoginUrl);
        await page.GotoAsync(new Uri(painter.LoginUrl, $"/resources/{PainterAppFixture.Resource}").ToString());

        var secret = page.Locator($"tr[data-variable='{PainterAppFixture.SecretVariable}']");
        await Expect(secret).ToContainTextAsync("******");
        await Expect(page.Locator("#relationships")).ToContainTextAsync("painter-key");
        await Expect(page.Locator("#health")).ToContainTextAsync("No health checks");
        Assert.DoesNotContain(PainterAppFixture.SecretValue, await page.ContentAsync(), StringComparison.Ordinal);
        await ChromiumFixture.ScreenshotAsync(page, "resource-details");

        await secret.GetByRole(AriaRole.Button, new() { Name = "reveal" }).ClickAsync();
        await Expect(secret).ToContainTextAsync(PainterAppFixture.SecretValue);
        await secret.GetByRole(AriaRole.Button, new() { Name = "hide" }).ClickAsync();
        await Expect(secret).Not.ToContainTextAsync(PainterAppFixture.SecretValue);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TheConsoleRendersAnsiColoursAsStyledTextOnly()
    {
        // A 256-colour line besides the process's own truecolour one; both come back through the console API.
        painter.App.Services.GetRequiredService<ResourceLoggerService>().Write(PainterAppFixture.Resource, "\u001b[38;5;196mxterm red\u001b[0m \u001b[42mon green\u001b[49m <img src=x onerror=alert(1)>");
        var page = await chromium.LogInAsync(painter.LoginUrl);
        await page.GotoAsync(new Uri(painter.LoginUrl, $"/consolelogs?resource={PainterAppFixture.Resource}").ToString());

        var log = page.Locator("#log");
        await Expect(log.Locator("span.ansi-fg-1", new() { HasText = "red" }).First).ToBeVisibleAsync();
        var truecolor = log.Locator("span", new() { HasText = "bold truecolor" });
        await Expect(truecolor).ToHaveClassAsync("ansi-bold");
        await Expect(truecolor).ToHaveCSSAsync("color", "rgb(0, 128, 255)");
        await Expect(log.Locator("span", new() { HasText = "xterm red" })).ToHaveCSSAsync("color", "rgb(255, 0, 0)");
        await Expect(log.Locator("span.ansi-bg-2", new() { HasText = "on green" })).ToBeVisibleAsync();
        await Expect(log).ToContainTextAsync("<b>markup stays text</b>");
        await Expect(log).ToContainTextAsync("<img src=x onerror=alert(1)>");
        Assert.Equal(0, await log.Locator("b, img").CountAsync());
        Assert.DoesNotContain("\u001b", await log.TextContentAsync() ?? "", StringComparison.Ordinal);
        await Expect(page.Locator("#resource")).ToHaveValueAsync(PainterAppFixture.Resource);
        await ChromiumFixture.ScreenshotAsync(page, "console");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task WithTenThousandRowsStoredThePagesShowBoundedPagesOfTheNewest()
    {
        var telemetry = painter.App.Services.GetRequiredService<TelemetryRepository>();
        var batch = new TelemetryBatch();
        var bulk = new ResourceKey("bulk", "bulk-1");
        var start = DateTimeOffset.UtcNow;
        for (var i = 0; i < 10_000; i++)
        {
            var traceId = i.ToString("x32", CultureInfo.InvariantCulture);
            var at = start.AddMilliseconds(i);
            batch.Logs.Add(new StoredLog(bulk, new LogEntry(0, at, "bulk", "Information", $"bulk record {i}", traceId, null, "Bulk", [])));
            batch.Spans.Add(new StoredSpan(bulk, new SpanEntry(traceId, i.ToString("x16", CultureInfo.InvariantCulture), null, "bulk", "Bulk", $"bulk span {i}", "Server", at, TimeSpan.FromMilliseconds(5), "Unset", null, 0, [], [])));
        }

        telemetry.Ingest(batch);
        var page = await chromium.LogInAsync(painter.LoginUrl);

        await page.GotoAsync(new Uri(painter.LoginUrl, "/structuredlogs?resource=bulk").ToString());
        await Expect(page.Locator("#logs tr").First).ToContainTextAsync("bulk record 9999");
        await Expect(page.Locator("#logs tr")).ToHaveCountAsync(200);
        await ChromiumFixture.ScreenshotAsync(page, "structured-logs-10000");

        await page.GotoAsync(new Uri(painter.LoginUrl, "/traces?resource=bulk").ToString());
        await Expect(page.Locator("#traces tr").First).ToContainTextAsync("bulk span 9999");
        await Expect(page.Locator("#traces tr")).ToHaveCountAsync(100);

        // The console asks for the newest lines only and keeps a bounded number in the page.
        await page.GotoAsync(new Uri(painter.LoginUrl, $"/consolelogs?resource={PainterAppFixture.Chatty}").ToString());
        await Expect(page.Locator("#log > div").Last).ToHaveTextAsync("10000");
        Assert.Equal(1000, await page.Locator("#log > div").CountAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ATraceIsAWaterfallAcrossResourcesWithExceptionsShownAsText()
    {
        var start = DateTimeOffset.UtcNow;
        const string traceId = "0af7651916cd43dd8448eb211c80319c";
        Attribute[] exception = [new("exception.type", "System.InvalidOperationException"), new("exception.message", "<script>alert(1)</script>"), new("exception.stacktrace", "at Back.Call()")];
        var batch = new TelemetryBatch();
        batch.Spans.Add(new StoredSpan(new ResourceKey("front", "front-1"), new SpanEntry(traceId, "b7ad6b7169203331", null, "front", "Front", "GET /boom", "Server", start, TimeSpan.FromMilliseconds(100), "Error", null, 0, [new("http.route", "/boom")], [])));
        batch.Spans.Add(new StoredSpan(new ResourceKey("back", "back-1"), new SpanEntry(traceId, "00f067aa0ba902b7", "b7ad6b7169203331", "back", "Back", "call", "Client", start.AddMilliseconds(50), TimeSpan.FromMilliseconds(40), "Error", "failed", 0, [], [new SpanEvent("exception", start.AddMilliseconds(80), exception)])));
        painter.App.Services.GetRequiredService<TelemetryRepository>().Ingest(batch);
        var page = await chromium.LogInAsync(painter.LoginUrl);

        await page.GotoAsync(new Uri(painter.LoginUrl, $"/traces/{traceId}").ToString());
        var child = page.Locator(".waterfall .row[data-resource='back']");
        await Expect(page.Locator(".waterfall .row")).ToHaveCountAsync(2);
        await Expect(child.Locator(".name")).ToHaveCSSAsync("padding-left", "24px");
        await Expect(child.Locator(".bar")).ToHaveClassAsync("bar error");
        var (root, called) = (await page.Locator(".waterfall .row[data-resource='front'] .bar").BoundingBoxAsync(), await child.Locator(".bar").BoundingBoxAsync());
        Assert.InRange(called!.X - root!.X, root.Width * 0.45, root.Width * 0.55);

        await child.ClickAsync();
        var thrown = page.Locator("#span .exception");
        await Expect(thrown).ToContainTextAsync("System.InvalidOperationException: <script>alert(1)</script>");
        await Expect(thrown.Locator("pre")).ToHaveTextAsync("at Back.Call()");
        Assert.Equal(0, await page.Locator("#span script").CountAsync());
        await ChromiumFixture.ScreenshotAsync(page, "trace-exception");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TheGenAiPageListsModelTokensAndLatencyAndLinksToTheTrace()
    {
        var start = DateTimeOffset.UtcNow;
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        Attribute[] attributes = [new("gen_ai.system", "ollama"), new("gen_ai.operation.name", "chat"), new("gen_ai.request.model", "llama3.2:1b"),
            new("gen_ai.usage.input_tokens", "12"), new("gen_ai.usage.output_tokens", "34")];
        var batch = new TelemetryBatch();
        batch.Spans.Add(new StoredSpan(new ResourceKey("api", "api-1"), new SpanEntry(traceId, "53995c3f42cd8ad8", null, "api", "Jarvis.Llm", "chat llama3.2:1b", "Client", start, TimeSpan.FromMilliseconds(900), "Ok", null, 0, attributes,
            [new SpanEvent("gen_ai.first_token", start.AddMilliseconds(150), [])])));
        painter.App.Services.GetRequiredService<TelemetryRepository>().Ingest(batch);
        var page = await chromium.LogInAsync(painter.LoginUrl);

        await page.GotoAsync(new Uri(painter.LoginUrl, "/genai").ToString());
        var call = page.Locator($"#calls tr[data-trace-id='{traceId}']");
        foreach (var cell in (string[])["ollama", "llama3.2:1b", "12", "34", "150 ms", "900 ms", "Ok"])
        {
            await Expect(call).ToContainTextAsync(cell);
        }

        await ChromiumFixture.ScreenshotAsync(page, "genai-call");
        await call.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Uri(painter.LoginUrl, $"/traces/{traceId}").ToString());
        await Expect(page.Locator(".waterfall .row")).ToHaveCountAsync(1);
        await page.Context.CloseAsync();
    }
}
