using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Deque.AxeCore.Playwright;
using Jarvis.Tests.Infrastructure.Ollama;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Jarvis.Tests.AppHost.Browser;

/// <summary>
/// The web chat page the api serves at <c>/</c>, in Debian's chromium against the stack started through Aspire's
/// testing builder: sign-in, a streamed reply, a hostile Markdown reply shown as text, a voice turn from a fake
/// microphone fed with a WAV flite speaks, the memory panel, reconnection after the api restarts, the phone-sized
/// layout, and an axe scan. Screenshots of each are saved as test artifacts.
/// </summary>
[Collection(StackTestGroup.Name)]
public sealed partial class WebPageBrowserTests(StackFixture stack, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Uri PageUrl => stack.App.GetEndpoint("api", "http");

    [Fact]
    public async Task AWrongKeyIsRefusedAndTheRightOneOpensTheChat()
    {
        var page = await OpenAsync();

        await page.FillAsync("#api-key", "not-the-key");
        await page.ClickAsync("#signin-form button[type=submit]");
        await Expect(page.Locator("#signin-error")).ToContainTextAsync("refused");
        await ChromiumFixture.ScreenshotAsync(page, "page-signin-refused");

        await SignInAsync(page, "page-signin");
        await Expect(page.Locator("#composer")).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>($"() => Object.values(sessionStorage).some(v => v.includes('{StackFixture.ApiKey}'))"), "the key is kept in session storage");
        Assert.Equal(0, await page.EvaluateAsync<int>("() => localStorage.length"));
        await ChromiumFixture.ScreenshotAsync(page, "page-signed-in");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ATypedMessageStreamsItsReplyWithItsResponderAndALinkToItsTrace()
    {
        stack.Ollama.Enqueue(new FakeChatReply { Tokens = ["Paris", " is", " the", " capital", " of", " **France**", "."] });
        var page = await OpenAsync();
        await SignInAsync(page, "page-typer");

        await page.FillAsync("#message", "What is the capital of France?");
        await page.PressAsync("#message", "Enter");
        var reply = page.Locator(".message.assistant[data-state=done]").Last;

        await Expect(reply.Locator(".message-body")).ToContainTextAsync("Paris is the capital of France.");
        await Expect(reply.Locator(".message-body strong")).ToHaveTextAsync("France");
        await Expect(reply.Locator(".responder")).ToContainTextAsync("llm");
        await Expect(page.Locator(".message.user").Last).ToContainTextAsync("What is the capital of France?");
        // The testing builder's dashboard URL is not the api's to know (DashboardLinkTests covers a local run's): the
        // reply shows its trace id, which the dashboard's search finds.
        await Expect(reply.Locator(".trace-link")).ToContainTextAsync(TraceId());
        await Expect(page.Locator("#conversations li")).Not.ToHaveCountAsync(0);
        await ChromiumFixture.ScreenshotAsync(page, "page-chat");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AHostileMarkdownReplyRendersAsTextAndRunsNothing()
    {
        stack.Ollama.Enqueue(new FakeChatReply
        {
            Tokens = ["<img src=x onerror=\"window.__pwned=1\">", " and ", "[click](javascript:window.__pwned=2)", " <script>window.__pwned=3</script>", " **fine**"],
        });
        var page = await OpenAsync();
        await SignInAsync(page, "page-hostile");

        await page.FillAsync("#message", "<b>hi</b> <img src=y onerror=\"window.__pwned=4\">");
        await page.PressAsync("#message", "Enter");
        var reply = page.Locator(".message.assistant[data-state=done]").Last;
        await Expect(reply.Locator(".message-body")).ToContainTextAsync("<img src=x onerror=\"window.__pwned=1\">");

        await Expect(reply.Locator(".message-body")).ToContainTextAsync("<script>window.__pwned=3</script>");
        await Expect(reply.Locator(".message-body strong")).ToHaveTextAsync("fine");
        Assert.Equal(0, await page.Locator("#log img, #log script, #log b").CountAsync());
        Assert.Equal(0, await page.Locator("#log a[href^='javascript']").CountAsync());
        await Expect(page.Locator(".message.user").Last).ToContainTextAsync("<b>hi</b>");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__pwned === undefined"), "no hostile script ran");
        await ChromiumFixture.ScreenshotAsync(page, "page-hostile-markdown");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AVoiceTurnFromTheMicrophoneShowsItsTranscriptAndPlaysTheReply()
    {
        var wav = Path.Combine(Path.GetTempPath(), $"jarvis-mic-{Guid.NewGuid():N}.wav");
        await SpeakToFileAsync("what time is it", wav);
        try
        {
            await using var microphone = await chromium.LaunchWithMicrophoneAsync(wav);
            var page = await OpenAsync(microphone);
            await SignInAsync(page, "page-voice");

            await page.ClickAsync("#mic");
            await Expect(page.Locator("#mic")).ToHaveAttributeAsync("data-recording", "true");
            await Task.Delay(TimeSpan.FromSeconds(3.5), Ct);
            await page.ClickAsync("#mic");

            var heard = page.Locator(".message.user.voice").Last;
            await Expect(heard).Not.ToBeEmptyAsync(new() { Timeout = 30_000 });
            Assert.Matches("[a-z]", (await heard.InnerTextAsync()).ToLowerInvariant());
            await Expect(page.Locator(".message.assistant[data-state=done]").Last.Locator(".message-body")).Not.ToBeEmptyAsync(new() { Timeout = 30_000 });
            await Expect(page.Locator("body")).ToHaveAttributeAsync("data-audio-played", new Regex("^[1-9]"), new() { Timeout = 30_000 });
            await ChromiumFixture.ScreenshotAsync(page, "page-voice");
            await page.Context.CloseAsync();
        }
        finally
        {
            File.Delete(wav);
        }
    }

    [Fact]
    public async Task TheMemoryPanelListsDeletesExportsAndForgets()
    {
        const string user = "page-memory";
        using var memory = stack.App.CreateHttpClient("memory");
        foreach (var text in new[] { "my sister lives in Lyon", "my favourite drink is green tea" })
        {
            (await memory.PostAsJsonAsync("/api/memories", new { userId = user, text }, Ct)).EnsureSuccessStatusCode();
        }

        var page = await OpenAsync();
        await SignInAsync(page, user);
        await page.ClickAsync("#memory-open");
        var items = page.Locator("#memory-list li");
        await Expect(items).ToHaveCountAsync(2);
        await Expect(page.Locator("#memory-list")).ToContainTextAsync("my sister lives in Lyon");
        await ChromiumFixture.ScreenshotAsync(page, "page-memory");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#memory-export"));
        var exported = await File.ReadAllTextAsync(await download.PathAsync(), Ct);
        Assert.Contains("my favourite drink is green tea", exported, StringComparison.Ordinal);

        await items.Filter(new() { HasText = "green tea" }).GetByRole(AriaRole.Button).ClickAsync();
        await Expect(items).ToHaveCountAsync(1);
        await page.ClickAsync("#memory-forget");
        await ChromiumFixture.ScreenshotAsync(page, "page-memory-confirm");
        await page.ClickAsync("#memory-forget-confirm");
        await Expect(page.Locator("#memory-panel")).ToContainTextAsync("Forgot 1 memor");
        await Expect(page.Locator("#memory-panel")).ToContainTextAsync("doesn't remember anything");
        var left = await memory.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/memories?userId={user}", Ct);
        Assert.Empty(left.GetProperty("items").EnumerateArray());
        await ChromiumFixture.ScreenshotAsync(page, "page-memory-forgotten");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AfterTheApiRestartsThePageReconnectsAndTheNextMessageWorks()
    {
        var page = await OpenAsync();
        await SignInAsync(page, "page-restart");
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-connected", "true");

        var commands = stack.App.Services.GetRequiredService<ResourceCommandService>();
        var restart = commands.ExecuteCommandAsync("api", KnownResourceCommands.RestartCommand, Ct);
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-connected", "false", new() { Timeout = 60_000 });
        await ChromiumFixture.ScreenshotAsync(page, "page-disconnected");
        Assert.True((await restart).Success, "the api restarted");
        // Just after the command the api may still show as exited: wait through that rather than give up on it.
        await stack.App.Services.GetRequiredService<ResourceNotificationService>().WaitForResourceHealthyAsync("api", WaitBehavior.WaitOnResourceUnavailable, Ct);

        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-connected", "true", new() { Timeout = 60_000 });
        await Expect(page.Locator("#banner")).ToBeHiddenAsync();
        await page.FillAsync("#message", "Are you back?");
        await page.PressAsync("#message", "Enter");
        await Expect(page.Locator(".message.assistant[data-state=done]").Last.Locator(".message-body")).Not.ToBeEmptyAsync(new() { Timeout = 30_000 });
        await ChromiumFixture.ScreenshotAsync(page, "page-reconnected");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task OnAPhoneSizedScreenNothingOverflowsAndTheConversationsFoldAway()
    {
        var page = await OpenAsync(viewport: new ViewportSize { Width = 390, Height = 844 });
        await SignInAsync(page, "page-phone");
        await page.FillAsync("#message", "hello from a phone");
        await page.PressAsync("#message", "Enter");
        await Expect(page.Locator(".message.assistant[data-state=done]").Last).ToBeVisibleAsync();

        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 390"), "no horizontal overflow at 390 px");
        await Expect(page.Locator("#nav-toggle")).ToBeVisibleAsync();
        await Expect(page.Locator("#conversations")).Not.ToBeInViewportAsync();
        await Expect(page.Locator("#send")).ToBeInViewportAsync();
        await ChromiumFixture.ScreenshotAsync(page, "page-phone");
        await page.ClickAsync("#nav-toggle");
        await Expect(page.Locator("#conversations")).ToBeInViewportAsync();
        await ChromiumFixture.ScreenshotAsync(page, "page-phone-conversations");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AnAxeScanFindsNoSeriousOrCriticalViolation()
    {
        var page = await OpenAsync();
        var signIn = await page.RunAxe();
        await SignInAsync(page, "page-axe");
        await page.FillAsync("#message", "hello");
        await page.PressAsync("#message", "Enter");
        await Expect(page.Locator(".message.assistant[data-state=done]").Last).ToBeVisibleAsync();
        var chat = await page.RunAxe();
        await page.ClickAsync("#memory-open");
        await Expect(page.Locator("#memory-panel")).ToBeVisibleAsync();
        var panel = await page.RunAxe();

        var serious = signIn.Violations.Concat(chat.Violations).Concat(panel.Violations)
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}")
            .ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));
        await page.Context.CloseAsync();
    }

    private async Task<IPage> OpenAsync(IBrowser? browser = null, ViewportSize? viewport = null)
    {
        var context = await (browser ?? chromium.Browser).NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 900 },
            Permissions = ["microphone"],
        });
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync(PageUrl.ToString());
        await Expect(page.Locator("#signin-form")).ToBeVisibleAsync();
        return page;
    }

    private static async Task SignInAsync(IPage page, string user)
    {
        await page.FillAsync("#api-key", StackFixture.ApiKey);
        await page.FillAsync("#user-name", user);
        await page.ClickAsync("#signin-form button[type=submit]");
        await Expect(page.Locator("#composer")).ToBeVisibleAsync();
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-connected", "true");
    }

    private static async Task SpeakToFileAsync(string text, string path)
    {
        using var flite = Process.Start(new ProcessStartInfo("flite", ["-t", text, "-o", path]) { RedirectStandardError = true })!;
        await flite.WaitForExitAsync(Ct);
        Assert.Equal(0, flite.ExitCode);
    }

    [GeneratedRegex("[0-9a-f]{32}")]
    private static partial Regex TraceId();
}
