using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisScheduler.Dispatching;
using RedisScheduler.Tests.Infrastructure;

namespace RedisScheduler.Tests;

[TestFixtureSource(typeof(RedisTarget), nameof(RedisTarget.Names))]
public sealed class PriorityTests(string redis)
{
    [Test]
    public async Task DueTasks_OfMixedPriority_AreHandedOutHighThenNormalThenLow()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var dueAt = DateTimeOffset.UtcNow;
        // Scheduled lowest first, so due order alone would give the reverse.
        for (var i = 0; i < 5; i++)
        {
            await scheduler.ScheduleTaskAsync(dueAt, new ProbeTask(300 + i), TaskPriority.Low);
        }

        for (var i = 0; i < 5; i++)
        {
            await scheduler.ScheduleTaskAsync(dueAt, new ProbeTask(200 + i));
        }

        for (var i = 0; i < 5; i++)
        {
            await scheduler.EnqueueTaskAsync(new ProbeTask(100 + i), TaskPriority.High);
        }

        var (_, probe) = await scope.StartWorkerAsync("A", concurrency: 1);
        await probe.WaitForAsync(15, TimeSpan.FromSeconds(20));

        Assert.That(probe.Handled.Select(h => h.Payload.Number / 100), Is.EqualTo(Enumerable.Repeat(1, 5).Concat(Enumerable.Repeat(2, 5)).Concat(Enumerable.Repeat(3, 5))));
        Assert.That(probe.Handled.Where(h => h.Payload.Number / 100 == 2).Select(h => h.Payload.Number), Is.Ordered, "within a priority, oldest first");
    }

    [Test]
    public async Task ReadyTasksOfEachPriority_AreCountedListedAndCancellable()
    {
        await using var scope = new TestScope(redis);
        var services = new ServiceCollection();
        services.AddRedisScheduler(scope.Configure);
        var provider = services.BuildServiceProvider();
        var scheduler = provider.GetRequiredService<ITaskScheduler>();
        var monitor = provider.GetRequiredService<ITaskMonitor>();
        var low = await scheduler.EnqueueTaskAsync(new ProbeTask(3), TaskPriority.Low);
        var normal = await scheduler.EnqueueTaskAsync(new ProbeTask(2));
        var high = await scheduler.EnqueueTaskAsync(new ProbeTask(1), TaskPriority.High);
        await DueTaskDispatcher.DispatchAsync(scope.Database, scope.Keys(), 100);

        Assert.That((await monitor.GetCountsAsync("probe")).Ready, Is.EqualTo(3));
        Assert.That((await monitor.ListAsync("probe", TaskState.Ready)).Select(t => t.Id), Is.EqualTo(new[] { high, normal, low }), "in the order they will be taken");
        Assert.That((await monitor.ListAsync("probe", TaskState.Ready, offset: 1, count: 1)).Select(t => t.Id), Is.EqualTo(new[] { normal }));
        Assert.That(await scheduler.CancelAsync(high), Is.True);
        Assert.That(await scheduler.RescheduleAsync(low, DateTimeOffset.UtcNow.AddMinutes(5)), Is.True);
        Assert.That((await monitor.GetCountsAsync("probe")).Ready, Is.EqualTo(1));
        Assert.That(await scope.Database.KeyExistsAsync(scope.Keys().ReadyHigh), Is.False);
    }
}
