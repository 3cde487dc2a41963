using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using RedisScheduler.Storage;
using RedisScheduler.Tests.Infrastructure;

namespace RedisScheduler.Tests;

[TestFixtureSource(typeof(RedisTarget), nameof(RedisTarget.Names))]
public sealed class RecurringTests(string redis)
{
    [Test]
    public async Task CronEverySecond_TwoHosts_EachOccurrenceRunsExactlyOnceAndNeverEarly()
    {
        await using var scope = new TestScope(redis);
        var probe = new TaskProbe();
        var (hostA, _) = await scope.StartWorkerAsync("A", probe: probe);
        await scope.StartWorkerAsync("B", probe: probe);
        var manager = hostA.Services.GetRequiredService<IRecurringTaskManager>();

        await manager.AddOrUpdateAsync("tick", "* * * * * *", new ProbeTask(7));
        await probe.WaitForAsync(4, TimeSpan.FromSeconds(20));
        await manager.RemoveAsync("probe", "tick");

        var runs = probe.Handled.Take(4).ToList();
        Assert.That(runs.Select(r => r.TaskId), Is.Unique, "one task per occurrence, across both hosts");
        Assert.That(runs.All(r => r.TaskId.StartsWith("probe/@tick:", StringComparison.Ordinal) && r.Payload.Number == 7), Is.True);
        Assert.That(runs.All(r => r.StartedAt >= r.DueAt), Is.True, "never early");
        var dueTimes = runs.Select(r => r.DueAt).Order().ToList();
        Assert.That(dueTimes.Zip(dueTimes.Skip(1), (a, b) => b - a), Is.All.EqualTo(TimeSpan.FromSeconds(1)), "consecutive whole seconds, none skipped or doubled");
        Assert.That(dueTimes.All(d => d.Millisecond == 0), Is.True);
    }

    [Test]
    public async Task AddRecurringTask_AtStartup_IsRegisteredListedAndRuns()
    {
        await using var scope = new TestScope(redis);
        var probe = new TaskProbe();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(probe).AddSingleton(new WorkerName("A"));
        builder.Services.AddRedisScheduler(scope.Configure)
            .AddTaskHandler<ProbeHandler>()
            .AddRecurringTask("heartbeat", TimeSpan.FromSeconds(1), new ProbeTask(1), o => o.MisfirePolicy = MisfirePolicy.Skip);
        using var host = builder.Build();
        await host.StartAsync();

        await probe.WaitForAsync(2, TimeSpan.FromSeconds(20));
        var listed = await host.Services.GetRequiredService<IRecurringTaskManager>().ListAsync("probe");
        await host.StopAsync();

        Assert.That(listed, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(listed[0].Name, Is.EqualTo("heartbeat"));
            Assert.That(listed[0].Interval, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(listed[0].MisfirePolicy, Is.EqualTo(MisfirePolicy.Skip));
            Assert.That(listed[0].NextOccurrence, Is.GreaterThan(probe.Handled[0].DueAt));
            Assert.That(listed[0].PayloadJson, Does.Contain("\"number\":1"));
        });
    }

    [Test]
    public async Task AddOrUpdateAsync_SameDefinitionTwice_KeepsNextOccurrence_ChangedOneReplacesIt()
    {
        await using var scope = new TestScope(redis);
        var manager = ManagerOf(scope);

        Assert.That(await manager.AddOrUpdateAsync("daily", "0 3 * * *", new ProbeTask(1)), Is.True);
        var first = (await manager.ListAsync("probe")).Single().NextOccurrence;
        Assert.That(await manager.AddOrUpdateAsync("daily", "0 3 * * *", new ProbeTask(1)), Is.False, "a restart registering it again changes nothing");
        Assert.That(await manager.AddOrUpdateAsync("daily", "0 4 * * *", new ProbeTask(1)), Is.True);
        var changed = (await manager.ListAsync("probe")).Single();

        Assert.That(first!.Value.Hour, Is.EqualTo(3));
        Assert.That(changed.NextOccurrence!.Value.Hour, Is.EqualTo(4));
        Assert.That(changed.CronExpression, Is.EqualTo("0 4 * * *"));
        Assert.That(await manager.RemoveAsync("probe", "daily"), Is.True);
        Assert.That(await manager.ListAsync("probe"), Is.Empty);
    }

    [Test]
    public async Task MissedOccurrences_RunOncePolicy_RunOnceAndResumeAfterNow()
    {
        await using var scope = new TestScope(redis);
        var manager = ManagerOf(scope);
        await manager.AddOrUpdateAsync("hourly", TimeSpan.FromHours(1), new ProbeTask(1));
        // As if every instance had been down for ten hours: the next occurrence is long past.
        var tenHoursAgo = DateTimeOffset.UtcNow.AddHours(-10).ToUnixTimeMilliseconds();
        await scope.Database.SortedSetAddAsync(scope.Keys().RecurringNext, "hourly", tenHoursAgo);

        var (_, probe) = await scope.StartWorkerAsync("A");
        await probe.WaitForAsync(1, TimeSpan.FromSeconds(20));
        var next = (await manager.ListAsync("probe")).Single().NextOccurrence;

        Assert.That(probe.Handled.Single().TaskId, Is.EqualTo($"probe/@hourly:{tenHoursAgo}"), "ten missed occurrences ran once");
        Assert.That(next, Is.GreaterThan(DateTimeOffset.UtcNow).And.LessThan(DateTimeOffset.UtcNow.AddHours(1)));
    }

    [Test]
    public void AddRecurringTask_InvalidCron_ThrowsAtRegistration()
    {
        var builder = new ServiceCollection().AddRedisScheduler(o => o.Configuration = "localhost");

        var error = Assert.Throws<ArgumentException>(() => builder.AddRecurringTask("bad", "61 * * * *", new ProbeTask(1)));

        Assert.That(error!.Message, Does.Contain("61 * * * *"));
    }

    [Test]
    public void AddRecurringTask_InvalidNameOrInterval_ThrowsAtRegistration()
    {
        var builder = new ServiceCollection().AddRedisScheduler(o => o.Configuration = "localhost");

        Assert.Throws<ArgumentException>(() => builder.AddRecurringTask("a|b", "* * * * *", new ProbeTask(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddRecurringTask("fast", TimeSpan.FromMilliseconds(10), new ProbeTask(1)));
    }

    [Test]
    public async Task AddOrUpdateAsync_InvalidNameOrInterval_ThrowsAndWritesNothing()
    {
        await using var scope = new TestScope(redis);
        var manager = ManagerOf(scope);

        Assert.ThrowsAsync<ArgumentException>(() => manager.AddOrUpdateAsync("a|b", "* * * * *", new ProbeTask(1)));
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => manager.AddOrUpdateAsync("fast", TimeSpan.FromMilliseconds(10), new ProbeTask(1)));
        Assert.That(scope.KeysWritten(), Is.Empty);
    }

    [Test]
    public async Task PauseAsync_PausedSchedule_MakesNoOccurrences_StaysPausedWhenRedefined_ResumeRunsTheMissedOnceWithRunOnce()
    {
        await using var scope = new TestScope();
        var manager = ManagerOf(scope);
        await manager.AddOrUpdateAsync("tick", TimeSpan.FromSeconds(1), new ProbeTask(1));

        Assert.That(await manager.PauseAsync("probe", "tick"), Is.True);
        Assert.That(await manager.PauseAsync("probe", "tick"), Is.True, "pausing twice is no error");
        Assert.That(await manager.AddOrUpdateAsync("tick", TimeSpan.FromSeconds(1), new ProbeTask(1)), Is.False, "a restart registering it again does not resume it");
        var (_, probe) = await scope.StartWorkerAsync("A");
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var paused = (await ManagerOf(scope).ListAsync("probe")).Single();

        Assert.That(probe.Handled, Is.Empty, "a paused schedule makes no occurrences");
        Assert.That(paused.IsPaused, Is.True, "the pause is in Redis, seen by another instance");
        Assert.That(paused.NextOccurrence, Is.Null);

        Assert.That(await manager.ResumeAsync("probe", "tick"), Is.True);
        await probe.WaitForAsync(1, TimeSpan.FromSeconds(20));
        var resumed = (await manager.ListAsync("probe")).Single();

        Assert.That(resumed.IsPaused, Is.False);
        Assert.That(resumed.NextOccurrence, Is.Not.Null);
        Assert.That(probe.Handled[0].TaskId, Does.StartWith("probe/@tick:"), "the occurrences missed while paused ran once (RunOnce)");
    }

    [Test]
    public async Task ResumeAsync_SkipPolicy_DropsTheOccurrencesMissedWhilePaused()
    {
        await using var scope = new TestScope();
        var manager = ManagerOf(scope);
        await manager.AddOrUpdateAsync("hourly", TimeSpan.FromHours(1), new ProbeTask(1), new RecurringTaskOptions { MisfirePolicy = MisfirePolicy.Skip });
        // Paused ten hours ago: the occurrence it held is long past when it resumes.
        await scope.Database.SortedSetAddAsync(scope.Keys().RecurringNext, "hourly", DateTimeOffset.UtcNow.AddHours(-10).ToUnixTimeMilliseconds());
        await manager.PauseAsync("probe", "hourly");
        var (_, probe) = await scope.StartWorkerAsync("A");

        await manager.ResumeAsync("probe", "hourly");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        DateTimeOffset? next;
        while ((next = (await manager.ListAsync("probe")).Single().NextOccurrence) < DateTimeOffset.UtcNow && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.That(next, Is.GreaterThan(DateTimeOffset.UtcNow), "a worker moved the resumed schedule past now");
        Assert.That(probe.Handled, Is.Empty, "Skip dropped what was missed while paused");
    }

    [Test]
    public async Task PauseAsync_ResumeAsync_UnknownSchedule_ReturnFalse_AndRemoveDeletesThePause()
    {
        await using var scope = new TestScope();
        var manager = ManagerOf(scope);

        Assert.That(await manager.PauseAsync("probe", "nope"), Is.False);
        Assert.That(await manager.ResumeAsync("probe", "nope"), Is.False);
        Assert.That(scope.KeysWritten(), Is.Empty);
        Assert.ThrowsAsync<ArgumentException>(() => manager.PauseAsync("probe", "a|b"));

        await manager.AddOrUpdateAsync("daily", "0 3 * * *", new ProbeTask(1));
        await manager.PauseAsync("probe", "daily");
        Assert.That(await manager.RemoveAsync("probe", "daily"), Is.True);
        Assert.That(scope.KeysWritten(), Is.Empty, "the pause marker went with the schedule");
    }

    private static IRecurringTaskManager ManagerOf(TestScope scope)
    {
        var services = new ServiceCollection();
        services.AddRedisScheduler(scope.Configure);
        return services.BuildServiceProvider().GetRequiredService<IRecurringTaskManager>();
    }
}
