using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisScheduler.Dispatching;
using RedisScheduler.Storage;
using RedisScheduler.Tests.Infrastructure;

namespace RedisScheduler.Tests;

[TestFixtureSource(typeof(RedisTarget), nameof(RedisTarget.Names))]
public sealed class MonitorTests(string redis)
{
    [Test]
    public async Task GetCountsAndList_TasksInEveryState_AreCountedAndListedInOrder()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var monitor = MonitorOf(scope);
        var later = DateTimeOffset.UtcNow.AddMinutes(10);
        var scheduled = new List<string>();
        for (var i = 4; i >= 0; i--)
        {
            scheduled.Insert(0, await scheduler.ScheduleTaskAsync(later.AddSeconds(i), new ProbeTask(i)));
        }

        var ready = new[] { await scheduler.EnqueueTaskAsync(new ProbeTask(10)), await scheduler.EnqueueTaskAsync(new ProbeTask(11)), await scheduler.EnqueueTaskAsync(new ProbeTask(12)) };
        await DueTaskDispatcher.DispatchAsync(scope.Database, scope.Keys(), 100);
        await scope.ClaimAsync(); // the oldest ready one is now processing

        var counts = await monitor.GetCountsAsync("probe");
        var scheduledPage = await monitor.ListAsync("probe", TaskState.Scheduled, offset: 1, count: 3);
        var readyPage = await monitor.ListAsync("probe", TaskState.Ready);
        var processingPage = await monitor.ListAsync("probe", TaskState.Processing);

        Assert.That(counts, Is.EqualTo(new TaskCounts("probe", Scheduled: 5, Ready: 2, Processing: 1, DeadLettered: 0, Waiting: 0, Succeeded: 0, Failed: 0)));
        Assert.That(scheduledPage.Select(t => t.Id), Is.EqualTo(scheduled.Skip(1).Take(3)), "by due time, paged");
        Assert.That(readyPage.Select(t => t.Id), Is.EqualTo(ready.Skip(1)));
        Assert.That(processingPage.Select(t => (t.Id, t.Attempt, t.State)), Is.EqualTo(new[] { (ready[0], 1, TaskState.Processing) }));
        Assert.That(scheduledPage[0].PayloadJson, Does.Contain("\"number\":1"));
    }

    [Test]
    public async Task Failed_TaskWaitingForARetry_IsListedCountedAndReported_UntilItIsTakenAgain()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var monitor = MonitorOf(scope);
        var id = await scheduler.EnqueueTaskAsync(new ProbeTask(1));
        await scheduler.EnqueueTaskAsync(new ProbeTask(2));
        var claimed = (await scope.ClaimAsync(wanted: 2)).Claimed;
        var error = TaskErrorJson.From(new InvalidOperationException("first attempt failed"));
        await scope.RunScriptAsync(SchedulerScripts.Instance.Retry, claimed[0].LocalId, claimed[0].Token, 60_000, scope.Keys().WakeChannel, error);

        var failed = await monitor.ListAsync("probe", TaskState.Failed);
        Assert.That(failed.Select(t => (t.Id, t.LastError!.Message)), Is.EqualTo(new[] { (id, "first attempt failed") }));
        Assert.That((await monitor.GetCountsAsync("probe")) is { Failed: 1, Scheduled: 1, Processing: 1 }, Is.True);
        Assert.That((await scheduler.GetTaskAsync(id))!.State, Is.EqualTo(TaskState.Failed));

        Assert.That(await scheduler.RescheduleAsync(id, DateTimeOffset.UtcNow.AddSeconds(-1)), Is.True);
        await DueTaskDispatcher.DispatchAsync(scope.Database, scope.Keys(), 100);
        Assert.That((await scheduler.GetTaskAsync(id))!.State, Is.EqualTo(TaskState.Failed), "due and ready, still waiting for its retry");
        Assert.That((await monitor.GetCountsAsync("probe")) is { Failed: 1, Ready: 1 }, Is.True);
        Assert.That((await scope.ClaimAsync()).Claimed.Single().LocalId, Is.EqualTo(claimed[0].LocalId));
        Assert.That((await monitor.GetCountsAsync("probe")).Failed, Is.Zero, "taken again: it is processing, no longer waiting for its retry");
    }

    [Test]
    public async Task List_DeadLetters_CarryTheirLastError()
    {
        await using var scope = new TestScope(redis);
        var (host, probe) = await scope.StartWorkerAsync("A");
        var id = await scope.CreateScheduler().EnqueueTaskAsync(new ProbeTask(1, ProbeBehavior.FailPermanently));
        var monitor = host.Services.GetRequiredService<ITaskMonitor>();

        IReadOnlyList<TaskInfo> dead = [];
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (dead.Count == 0 && DateTime.UtcNow < deadline)
        {
            dead = await monitor.ListAsync("probe", TaskState.DeadLettered);
            await Task.Delay(20);
        }

        Assert.That(dead.Select(t => t.Id), Is.EqualTo(new[] { id }));
        Assert.That(dead[0].LastError!.ExceptionType, Is.EqualTo(typeof(PermanentTaskFailureException).FullName));
        Assert.That((await monitor.GetCountsAsync("probe")).DeadLettered, Is.EqualTo(1));
    }

    [Test]
    public void ListAsync_BadArguments_Throw()
    {
        var monitor = new ServiceCollection().AddRedisScheduler(o => o.Configuration = "localhost").Services.BuildServiceProvider().GetRequiredService<ITaskMonitor>();

        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => monitor.ListAsync("probe", TaskState.Ready, count: 0));
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => monitor.ListAsync("probe", TaskState.Ready, offset: -1));
        Assert.ThrowsAsync<ArgumentException>(() => monitor.GetCountsAsync("not valid"));
    }

    private static ITaskMonitor MonitorOf(TestScope scope)
    {
        var services = new ServiceCollection();
        services.AddRedisScheduler(scope.Configure);
        return services.BuildServiceProvider().GetRequiredService<ITaskMonitor>();
    }
}
