using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NUnit.Framework;
using static Microsoft.Playwright.Assertions;

namespace RedisScheduler.Dashboard.Tests.Browser;

/// <summary>
/// The dashboard in a real headless Chromium, over HTTPS from Kestrel, behind a path base, on a scheduler
/// that has a task in every state, dead letters, two recurring schedules and a live worker (itself).
/// Every wait is on the page (Playwright's auto-waiting assertions) or on Redis; none is a sleep.
/// </summary>
[NonParallelizable]
public sealed class DashboardBrowserTests
{
    private HttpsDashboard? running;
    private DashboardData data = null!;

    public static IEnumerable<string> Pages => ["overview", "tasks-scheduled", "tasks-ready", "tasks-processing", "tasks-failed", "tasks-waiting", "tasks-succeeded", "task", "dead", "recurring", "workers", "timeline"];

    [OneTimeSetUp]
    public async Task StartDashboard()
    {
        running = await HttpsDashboard.StartAsync("browser-" + Guid.NewGuid().ToString("N")[..10], workers: true);
        data = await DashboardDataFiller.FillAsync(running);
    }

    [OneTimeTearDown]
    public async Task StopDashboard()
    {
        if (running is not null)
        {
            await running.DisposeAsync();
        }
    }

    private HttpsDashboard site => running ?? throw new InvalidOperationException("The dashboard has not started.");

    [TestCaseSource(nameof(Pages))]
    public async Task Page_Opens_ShowsItsData_WithoutErrors(string name)
    {
        await using var context = await ChromiumFixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var errors = CollectErrors(page);

        await OpenAsync(page, name);

        Assert.That(errors, Is.Empty, "no script error, refused request or CSP violation");
        await Screenshots.SaveAsync(page, name);
    }

    [Test]
    public async Task DeadLetter_RequeueByClick_LeavesTheDeadLetterStore()
    {
        await using var context = await ChromiumFixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var id = data.Dead[0];
        await page.GotoAsync(site.PageAddress + "#/dead?type=fragile");

        await page.GetByRole(AriaRole.Button, new() { Name = "Requeue " + id, Exact = true }).ClickAsync();

        await Expect(page.Locator("#status")).ToHaveTextAsync($"Requeued {id}.");
        var letters = await site.Services.GetRequiredService<IDeadLetterStore>().ListAsync("fragile");
        Assert.That(letters.Select(l => l.Id), Does.Not.Contain(id).And.Contain(data.Dead[2]));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = id, Exact = true })).ToHaveCountAsync(0);
    }

    [Test]
    public async Task Recurring_PauseByClick_IsPausedInRedis()
    {
        await using var context = await ChromiumFixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.PageAddress + "#/recurring");

        await page.GetByRole(AriaRole.Button, new() { Name = "Pause " + DashboardDataFiller.CronSchedule, Exact = true }).ClickAsync();

        await Expect(page.Locator("#status")).ToHaveTextAsync($"Paused {DashboardDataFiller.CronSchedule}.");
        Assert.That(await IsPausedAsync(DashboardDataFiller.CronSchedule), Is.True);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Resume " + DashboardDataFiller.CronSchedule, Exact = true })).ToBeVisibleAsync();
    }

    [Test]
    public async Task Keyboard_TabToAnActionAndPressEnter_RunsIt_AndKeepsTheFocus()
    {
        await using var context = await ChromiumFixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.PageAddress + "#/recurring");
        var target = "Pause " + DashboardDataFiller.IntervalSchedule;
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = target, Exact = true })).ToBeVisibleAsync();

        var presses = 0;
        while (await FocusedLabelAsync(page) != target)
        {
            Assert.That(++presses, Is.LessThan(80), $"'{target}' is reachable with the Tab key");
            await page.Keyboard.PressAsync("Tab");
        }

        Assert.That(await page.EvaluateAsync<string>("getComputedStyle(document.activeElement).outlineStyle"), Is.EqualTo("solid"), "the focus is visible");
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.Locator("#status")).ToHaveTextAsync($"Paused {DashboardDataFiller.IntervalSchedule}.");
        Assert.That(await IsPausedAsync(DashboardDataFiller.IntervalSchedule), Is.True);
        await Expect(page.Locator(":focus")).ToHaveAttributeAsync("aria-label", "Resume " + DashboardDataFiller.IntervalSchedule);
    }

    [Test]
    public async Task Workers_ListTheTaskTheInstanceRunsNow_LinkingToItsPage()
    {
        await using var context = await ChromiumFixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.PageAddress + "#/workers");

        var running = page.Locator("main section").Filter(new() { HasText = "Running on" });
        var link = running.GetByRole(AriaRole.Link, new() { Name = data.Processing, Exact = true });
        await Expect(link).ToHaveAttributeAsync("href", "#/task?id=" + Uri.EscapeDataString(data.Processing));
        await link.ClickAsync();

        await Expect(page.Locator("main h1")).ToHaveTextAsync("Task " + data.Processing);
        await Expect(page.Locator("main")).ToContainTextAsync("processing");
    }

    [Test]
    public async Task LiveRefresh_ShowsANewTask_WithoutReloading()
    {
        await using var context = await ChromiumFixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await OpenAsync(page, "tasks-scheduled");
        await page.EvaluateAsync("window.sameDocument = true");

        var id = await site.Services.GetRequiredService<ITaskScheduler>().ScheduleTaskAsync(TimeSpan.FromMinutes(2), new Invoice("LIVE", 1m));

        await Expect(page.GetByRole(AriaRole.Link, new() { Name = id, Exact = true })).ToBeVisibleAsync(new() { Timeout = 15_000 });
        Assert.That(await page.EvaluateAsync<bool>("window.sameDocument === true"), Is.True, "redrawn in place, not reloaded");
    }

    [Test]
    public async Task Search_ByOnceKey_FindsTheTask_AndItsPageOpens()
    {
        await using var context = await ChromiumFixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.PageAddress + "#/tasks?type=invoice");
        var search = page.GetByLabel("Task id or once-key");

        await search.FillAsync(DashboardDataFiller.OnceKey);
        await search.PressAsync("Enter");

        var found = page.GetByRole(AriaRole.Link, new() { Name = $"invoice/={DashboardDataFiller.OnceKey}", Exact = true });
        await Expect(found).ToBeVisibleAsync();
        await Expect(page.Locator("main tbody tr")).ToHaveCountAsync(1);
        await found.ClickAsync();
        await Expect(page.Locator("main")).ToContainTextAsync("INV-DEC");
    }

    [Test]
    public async Task Paging_NextAndPrevious_WalkTheList()
    {
        await using var small = await HttpsDashboard.StartAsync(site.KeyPrefix, workers: false, o => o.DefaultPageSize = 4);
        await using var context = await ChromiumFixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(small.PageAddress + "#/tasks?type=invoice&state=scheduled");
        var rows = page.Locator("main tbody tr");
        await Expect(rows).ToHaveCountAsync(4);
        var first = (await rows.First.Locator("a").TextContentAsync())!;

        await page.GetByRole(AriaRole.Link, new() { Name = "Next →" }).ClickAsync();

        await Expect(page.Locator("main .pager")).ToContainTextAsync("5–8 of");
        await Expect(page.Locator("main").GetByText(first, new() { Exact = true })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Link, new() { Name = "← Previous" }).ClickAsync();
        await Expect(rows.First.Locator("a")).ToHaveTextAsync(first);
    }

    [Test]
    public async Task PhoneWidth_NoPageOverflowsSideways()
    {
        await using var context = await ChromiumFixture.NewContextAsync(390, 844);
        var page = await context.NewPageAsync();
        foreach (var name in Pages)
        {
            await OpenAsync(page, name);
            var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
            Assert.That(overflow, Is.LessThanOrEqualTo(0), $"page {name} at 390 px wide scrolls sideways by {overflow} px");
        }

        await OpenAsync(page, "overview");
        await Screenshots.SaveAsync(page, "phone");
    }

    [Test]
    public async Task ReadOnly_ShowsNoActionButtons()
    {
        await using var readOnly = await HttpsDashboard.StartAsync(site.KeyPrefix, workers: false, o => o.ReadOnly = true);
        await using var context = await ChromiumFixture.NewContextAsync();
        var page = await context.NewPageAsync();

        foreach (var (hash, shown) in new[] { ("#/dead?type=fragile", data.Dead[2]), ("#/recurring", DashboardDataFiller.IntervalSchedule), ("#/task?id=" + data.Scheduled, data.Scheduled) })
        {
            await page.GotoAsync(readOnly.PageAddress + hash);
            await Expect(page.Locator("main").GetByText(shown).First).ToBeVisibleAsync();
            await Expect(page.Locator("main button")).ToHaveCountAsync(0);
        }

        await Expect(page.Locator("#live")).ToContainTextAsync("read-only");
    }

    /// <summary>Opens one page and waits until it shows what the data put there.</summary>
    private async Task OpenAsync(IPage page, string name)
    {
        var (hash, shown) = name switch
        {
            "overview" => ("#/", "fragile"),
            "tasks-scheduled" => ("#/tasks?type=invoice&state=scheduled", data.Scheduled),
            "tasks-ready" => ("#/tasks?type=report&state=ready", data.Ready),
            "tasks-processing" => ("#/tasks?type=report&state=processing", data.Processing),
            "tasks-failed" => ("#/tasks?type=sync&state=failed", data.Failed),
            "tasks-waiting" => ("#/tasks?type=invoice&state=waiting", data.Waiting),
            "tasks-succeeded" => ("#/tasks?type=receipt&state=succeeded", data.Succeeded),
            "task" => ("#/task?id=" + data.Failed, "The bank's API answered 503"),
            "dead" => ("#/dead?type=fragile", data.Dead[2]),
            "recurring" => ("#/recurring", DashboardDataFiller.CronSchedule),
            "workers" => ("#/workers", data.Processing),
            "timeline" => ("#/timeline", null),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a page of these tests"),
        };
        await page.GotoAsync(site.PageAddress + hash);
        if (shown is not null)
        {
            await Expect(page.Locator("main").GetByText(shown).First).ToBeVisibleAsync();
        }
        else
        {
            // The data schedules invoices due over the coming minutes and hours: the real api/timeline
            // must give the page bars to draw, not its "no data yet" text.
            await Expect(page.Locator("main svg.chart rect.bar").First).ToBeVisibleAsync();
            await Expect(page.Locator("main .no-data")).ToHaveCountAsync(0);
        }

        if (name == "overview")
        {
            await Expect(page.GetByTestId("live-workers")).Not.ToHaveTextAsync("0");
        }
    }

    private async Task<bool> IsPausedAsync(string name)
        => (await site.Services.GetRequiredService<IRecurringTaskManager>().ListAsync("invoice")).Single(r => r.Name == name).IsPaused;

    private static Task<string?> FocusedLabelAsync(IPage page)
        => page.EvaluateAsync<string?>("document.activeElement && document.activeElement.getAttribute('aria-label')");

    /// <summary>Script errors and failed requests the page reports.</summary>
    private static List<string> CollectErrors(IPage page)
    {
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add("script: " + error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add($"console: {message.Text} ({message.Location})");
            }
        };
        return errors;
    }
}
