using Microsoft.Extensions.DependencyInjection;

namespace RedisScheduler.Dashboard.Tests.Browser;

/// <summary>The ids of what <see cref="DashboardData.FillAsync"/> made: a task in every state, dead letters, schedules.</summary>
public sealed record DashboardData(string Scheduled, string Ready, string Processing, string Failed, string Waiting, IReadOnlyList<string> Dead, string Succeeded);

public static class DashboardDataFiller
{
    public const string CronSchedule = "nightly-invoices";
    public const string IntervalSchedule = "hourly-reconcile";
    public const string OnceKey = "invoice-2026-12";

    /// <summary>Puts a task in every state through the library itself, waiting for each state's event (or, where there is none, its count).</summary>
    public static async Task<DashboardData> FillAsync(HttpsDashboard site)
    {
        var scheduler = site.Services.GetRequiredService<ITaskScheduler>();
        var monitor = site.Services.GetRequiredService<ITaskMonitor>();
        var recurring = site.Services.GetRequiredService<IRecurringTaskManager>();

        var scheduled = new List<string>();
        foreach (var minutes in new[] { 3, 7, 7, 12, 25, 40, 95, 300 })
        {
            scheduled.Add(await scheduler.ScheduleTaskAsync(TimeSpan.FromMinutes(minutes), new Invoice($"INV-{minutes:000}", 120m + minutes)));
        }

        await scheduler.ScheduleTaskOnceAsync(OnceKey, DateTimeOffset.UtcNow.AddHours(6), new Invoice("INV-DEC", 990m));
        var parent = await scheduler.ScheduleTaskAsync(TimeSpan.FromHours(2), new Invoice("INV-PARENT", 10m));
        var waiting = await scheduler.ScheduleContinuationAsync([parent], new Invoice("INV-AFTER", 11m));

        var receipts = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            receipts.Add(await scheduler.EnqueueTaskAsync(new Receipt($"R-{i}")));
        }

        var dead = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            dead.Add(await scheduler.EnqueueTaskAsync(new Fragile(i)));
        }

        // One call, so the worker's next claim promotes both to ready and, running one report at a time, takes only the first.
        var reports = await scheduler.ScheduleTasksAsync([(DateTimeOffset.UtcNow, new Report("quarterly")), (DateTimeOffset.UtcNow, new Report("annual"))]);
        var failed = await scheduler.EnqueueTaskAsync(new SyncRun("ACME-7"));

        foreach (var id in receipts)
        {
            Expect((await scheduler.WaitForCompletionAsync(id, TimeSpan.FromSeconds(30))).Outcome == TaskOutcome.Succeeded, $"{id} succeeded");
        }

        foreach (var id in dead)
        {
            Expect((await scheduler.WaitForCompletionAsync(id, TimeSpan.FromSeconds(30))).Outcome == TaskOutcome.DeadLettered, $"{id} was dead-lettered");
        }

        // From here on a requeued fragile task succeeds, so it leaves the dead letters for good.
        site.Switches.FragileFails = false;
        await site.Switches.ReportStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The report handler runs one at a time and the first never ends: the other report waits, ready.
        await UntilAsync(async () => (await monitor.GetCountsAsync("report")).Ready == 1, "the second report is ready, waiting for the busy handler");
        await site.Switches.SyncFailed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await UntilAsync(async () => (await monitor.GetCountsAsync("sync")).Failed == 1, "the sync task is recorded as failed, its retry an hour away");
        await UntilAsync(async () => (await monitor.ListWorkersAsync()).Count > 0, "the app registered as a live worker");

        await recurring.AddOrUpdateAsync(CronSchedule, "0 2 * * *", new Invoice("NIGHTLY", 0m));
        await recurring.AddOrUpdateAsync(IntervalSchedule, TimeSpan.FromHours(1), new Invoice("RECONCILE", 0m));
        var processing = (await monitor.ListAsync("report", TaskState.Processing)).Single().Id;
        // The workers page lists what each instance's last heartbeat reported (every 5 s by default).
        await UntilAsync(async () => (await monitor.ListWorkersAsync()).Any(w => w.RunningTaskIds.Contains(processing)), "the app's heartbeat reported the running report");
        return new DashboardData(scheduled[0], reports.Single(id => id != processing), processing, failed, waiting, dead, receipts[0]);
    }

    /// <summary>Polls a state that no event announces (a count in Redis), for at most 30 s.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); !await condition(); await Task.Delay(50))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not within 30 s: {what}.");
            }
        }
    }

    private static void Expect(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"The dashboard's test data is not as expected: {what} was false.");
        }
    }
}
