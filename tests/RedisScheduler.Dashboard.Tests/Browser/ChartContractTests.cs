using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NUnit.Framework;
using static Microsoft.Playwright.Assertions;

namespace RedisScheduler.Dashboard.Tests.Browser;

/// <summary>
/// The two charts against their endpoints' contracts, answered by the browser itself (Playwright's request
/// routing), so the pages stay pinned to the JSON shape whatever the data; DashboardBrowserTests draws the
/// timeline from the real endpoint.
/// </summary>
[NonParallelizable]
public sealed class ChartContractTests
{
    [Test]
    public async Task Timeline_DrawsOneBarPerMinuteAndHourWithTasks()
    {
        await using var site = await HttpsDashboard.StartAsync("charts-" + Guid.NewGuid().ToString("N")[..10], workers: false);
        await using var context = await ChromiumFixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var minutes = Enumerable.Range(0, 60).Select(i => i % 7 == 0 ? i + 1 : 0).ToArray();
        var hours = Enumerable.Range(0, 24).Select(i => i < 3 ? 10 * (i + 1) : 0).ToArray();
        var answer = new { now = Iso(DateTimeOffset.UtcNow), types = new[] { new { type = "invoice", minutes, hours } } };
        await page.RouteAsync("**/api/timeline*", route => route.FulfillAsync(new() { ContentType = "application/json", Body = JsonSerializer.Serialize(answer) }));

        await page.GotoAsync(site.PageAddress + "#/timeline");

        var charts = page.Locator("main svg.chart");
        await Expect(charts).ToHaveCountAsync(2);
        await Expect(charts.Nth(0).Locator("rect.bar")).ToHaveCountAsync(minutes.Count(n => n > 0));
        await Expect(charts.Nth(1).Locator("rect.bar")).ToHaveCountAsync(3);
        await Expect(charts.Nth(0)).ToHaveAttributeAsync("aria-label", $"Due per minute, next hour: {minutes.Sum()} tasks due in the next hour");
        await Expect(charts.Nth(1)).ToHaveAttributeAsync("aria-label", "Due per hour, next day: 60 tasks due in the next 24 hours");
    }

    [Test]
    public async Task Overview_DrawsTheLastHourFromStats()
    {
        await using var site = await HttpsDashboard.StartAsync("charts-" + Guid.NewGuid().ToString("N")[..10], workers: false);
        await site.Services.GetService<ITaskScheduler>()!.ScheduleTaskAsync(TimeSpan.FromHours(1), new Invoice("S", 1m));
        await using var context = await ChromiumFixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var start = DateTimeOffset.UtcNow.AddMinutes(-59);
        var minutes = Enumerable.Range(0, 60).Select(i => new
        {
            minute = Iso(start.AddMinutes(i)),
            succeeded = i % 2 == 0 ? 3 : 0,
            failed = i == 59 ? 2 : 0,
            latenessAvgMs = i % 2 == 0 ? (double?)20 : null,
            latenessMaxMs = i % 2 == 0 ? (double?)(i == 58 ? 250 : 40) : null,
        }).ToArray();
        var answer = new { now = Iso(DateTimeOffset.UtcNow), types = new[] { new { type = "invoice", minutes } } };
        await page.RouteAsync("**/api/stats*", route => route.FulfillAsync(new() { ContentType = "application/json", Body = JsonSerializer.Serialize(answer) }));

        await page.GotoAsync(site.PageAddress + "#/");

        var charts = page.Locator("main svg.chart");
        await Expect(charts).ToHaveCountAsync(2);
        await Expect(charts.Nth(0)).ToHaveAttributeAsync("aria-label", "Finished per minute: 90 succeeded and 2 failed in the last hour");
        await Expect(charts.Nth(0).Locator("rect.bar")).ToHaveCountAsync(31);
        await Expect(charts.Nth(1)).ToHaveAttributeAsync("aria-label", "Lateness per minute (max): mean 20 ms, worst 250 ms");
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
