using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Jarvis.Tests.AppHost.Browser;

/// <summary>
/// The real Aspire dashboard of the running stack, in Debian's chromium: the login URL opens it, api, memory and
/// voice are Running and healthy on the resources page, a chat turn's trace spans api and memory, and its call to the
/// model is a GenAI span the dashboard's GenAI view opens.
/// Screenshots of each page are saved as test artifacts.
/// </summary>
[Collection(StackTestGroup.Name)]
public sealed partial class DashboardBrowserTests(StackFixture stack, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheLoginUrlOpensTheResourcesPageWithApiMemoryAndVoiceRunningAndHealthy()
    {
        var page = await chromium.LogInAsync(await stack.App.GetDashboardUrlAsync(Ct));

        foreach (var service in StackFixture.Services)
        {
            var row = ResourceRow(page, service);
            await Expect(row).ToContainTextAsync("Running", new() { Timeout = 30_000 });
            await Expect(row).Not.ToContainTextAsync(Unhealthy());
        }

        await ChromiumFixture.ScreenshotAsync(page, "aspire-resources");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AChatTurnsTraceSpansApiAndMemory()
    {
        // The trace list names each trace's resources; the chat turn's is api's POST /api/chat, which called memory.
        var page = await OpenChatTraceAsync("What do you know about my garden?", "browser-alice", "aspire-traces");
        var main = page.Locator("main").First;
        await Expect(main).ToContainTextAsync("api");
        await Expect(main).ToContainTextAsync("memory");
        await ChromiumFixture.ScreenshotAsync(page, "aspire-trace");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AChatTurnsModelCallIsAGenAiSpanTheDashboardVisualizes()
    {
        var page = await OpenChatTraceAsync("Why is the sky blue?", "browser-bob", screenshot: null);

        // The dashboard marks a span with gen_ai.* attributes (Microsoft.Extensions.AI's UseOpenTelemetry) as GenAI.
        var main = page.Locator("main").First;
        await Expect(main).ToContainTextAsync("chat llama3.2:1b", new() { Timeout = 30_000 });
        // Memory's embedding call is a GenAI span too; this opens the chat's.
        var chatSpan = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "chat llama3.2:1b" }).First;
        var genAi = chatSpan.Locator(".genai-details-button");
        await Expect(genAi).ToBeVisibleAsync();
        await genAi.ClickAsync();
        // The GenAI view names the resource and the span and, because the app host in development sets
        // OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true, shows the prompt (Jarvis' instructions first) and the model's answer (the fake's).
        await Expect(page.GetByText("api: chat llama3.2:1b").Filter(new() { Visible = true }).First).ToBeVisibleAsync();
        await Expect(page.GetByText("You are Jarvis, a helpful personal assistant.", new() { Exact = false }).Filter(new() { Visible = true }).Last).ToBeVisibleAsync();
        await Expect(page.GetByText("The sky is blue.").Filter(new() { Visible = true }).Last).ToBeVisibleAsync();
        await ChromiumFixture.ScreenshotAsync(page, "aspire-genai");
        await page.Context.CloseAsync();
    }

    /// <summary>Sends a chat turn, then opens the dashboard's trace list and the detail of a chat trace that reached memory.</summary>
    private async Task<IPage> OpenChatTraceAsync(string message, string userId, string? screenshot)
    {
        using var api = stack.CreateApiClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/chat") { Content = JsonContent.Create(new { message, userId }) };
        (await api.SendAsync(request, Ct)).EnsureSuccessStatusCode();

        var page = await chromium.LogInAsync(await stack.App.GetDashboardUrlAsync(Ct));
        await page.GotoAsync(new Uri(new Uri(page.Url), "/traces").ToString());
        var trace = page.GetByRole(AriaRole.Row).Filter(new() { HasTextRegex = ChatRoute() }).Filter(new() { HasText = "memory" }).First;
        await Expect(trace).ToBeVisibleAsync(new() { Timeout = 30_000 });
        if (screenshot is not null)
        {
            await ChromiumFixture.ScreenshotAsync(page, screenshot);
        }

        await trace.GetByText(ChatRoute()).First.ClickAsync();
        await Expect(page).ToHaveURLAsync(TraceDetail());
        return page;
    }

    /// <summary>The resources grid's row of <paramref name="name"/>: the row whose name cell is exactly that.</summary>
    private static ILocator ResourceRow(IPage page, string name) =>
        page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByText(name, new() { Exact = true }) }).First;

    [GeneratedRegex("POST /api/chat")]
    private static partial Regex ChatRoute();

    [GeneratedRegex("/traces/detail/")]
    private static partial Regex TraceDetail();

    [GeneratedRegex("Unhealthy|Degraded")]
    private static partial Regex Unhealthy();
}
