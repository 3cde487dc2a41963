using Microsoft.Playwright;
using NUnit.Framework;

namespace RedisScheduler.Dashboard.Tests.Browser;

/// <summary>
/// Owns one headless Chromium for the browser tests: Debian's chromium (eng/ensure-chromium.sh installs it),
/// driven by Playwright through <see cref="BrowserTypeLaunchOptions.ExecutablePath"/>, so no browser is downloaded.
/// </summary>
[SetUpFixture]
public sealed class ChromiumFixture
{
    private static IPlaywright? playwright;
    private static IBrowser? browser;

    public static IBrowser Browser => browser ?? throw new InvalidOperationException("Chromium has not started.");

    [OneTimeSetUp]
    public async Task StartChromium()
    {
        var path = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } set ? set : "/usr/bin/chromium";
        if (!File.Exists(path))
        {
            Assert.Fail($"The dashboard's browser tests need Chromium at {path}. On Debian/Ubuntu run: sudo apt-get install -y --no-install-recommends chromium fonts-dejavu-core " +
                "(bash eng/test.sh does it when run as root), or set CHROMIUM_PATH.");
        }

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = path, Headless = true });
    }

    [OneTimeTearDown]
    public async Task StopChromium()
    {
        if (browser is not null)
        {
            await browser.CloseAsync();
        }

        playwright?.Dispose();
    }

    /// <summary>A fresh browser profile (cookies, storage) at a viewport, trusting the test's own certificate.</summary>
    public static Task<IBrowserContext> NewContextAsync(int width = 1280, int height = 800)
        => Browser.NewContextAsync(new BrowserNewContextOptions
        {
            // The test's certificate is self-signed and made for this run only.
            IgnoreHTTPSErrors = true,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
}
