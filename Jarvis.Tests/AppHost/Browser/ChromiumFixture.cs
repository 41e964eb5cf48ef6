using Microsoft.Playwright;

namespace Jarvis.Tests.AppHost.Browser;

/// <summary>
/// One headless Debian chromium per test class, driven by Playwright. The browser is the system's
/// (<c>/usr/bin/chromium</c>, installed by test.sh); Playwright is never asked to download one.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly string[] s_arguments =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>
    /// Where the tests save a screenshot of each page they visit: <c>JARVIS_SCREENSHOTS</c> (test.sh puts them beside the
    /// test results), else <c>screenshots/</c> in the test output directory.
    /// </summary>
    public static string ScreenshotDirectory { get; } =
        Environment.GetEnvironmentVariable("JARVIS_SCREENSHOTS") is { Length: > 0 } directory ? directory : Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: install Debian's chromium (apt-get install chromium; test.sh does).");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ExecutablePath, Args = s_arguments, Headless = true });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    /// <summary>
    /// Another chromium whose microphone is a fake device playing <paramref name="wav"/> in a loop, permission granted and
    /// audio allowed to play without a gesture.
    /// </summary>
    public async Task<IBrowser> LaunchWithMicrophoneAsync(string wav) =>
        await _playwright!.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Args = [.. s_arguments, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", $"--use-file-for-fake-audio-capture={wav}", "--autoplay-policy=no-user-gesture-required"],
            Headless = true,
        });

    /// <summary>A fresh browser context (its own cookies) that has opened the dashboard's login URL.</summary>
    public async Task<IPage> LogInAsync(Uri loginUrl)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync(loginUrl.ToString());
        return page;
    }

    /// <summary>Saves a full-page screenshot as <c>screenshots/NAME.png</c> and says where in the test output.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        var path = Path.Combine(ScreenshotDirectory, $"{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.Current.TestOutputHelper?.WriteLine($"Screenshot: {path}");
    }
}
