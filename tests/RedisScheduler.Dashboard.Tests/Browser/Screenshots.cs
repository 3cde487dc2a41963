using Microsoft.Playwright;
using NUnit.Framework;

namespace RedisScheduler.Dashboard.Tests.Browser;

/// <summary>
/// Saves each page's picture with the test results, and into docs/images (the README's) when asked with
/// DASHBOARD_SCREENSHOTS=update: an ordinary test run leaves the source tree alone.
/// </summary>
public static class Screenshots
{
    public static async Task SaveAsync(IPage page, string name)
    {
        var file = $"dashboard-{name}.png";
        var results = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");
        Directory.CreateDirectory(results);
        var bytes = await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(results, file), FullPage = false });
        TestContext.AddTestAttachment(Path.Combine(results, file));
        if (Environment.GetEnvironmentVariable("DASHBOARD_SCREENSHOTS") == "update")
        {
            await File.WriteAllBytesAsync(Path.Combine(RepositoryRoot(), "docs", "images", file), bytes);
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RedisScheduler.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("RedisScheduler.sln not found above the test's directory: run the tests from the repository.");
    }
}
