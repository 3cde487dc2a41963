using NUnit.Framework;
using RedisScheduler.Storage;
using RedisScheduler.Tests.Infrastructure;

namespace RedisScheduler.Tests;

[TestFixtureSource(typeof(RedisTarget), nameof(RedisTarget.Names))]
public sealed class IdempotencyTests(string redis)
{
    [Test]
    public async Task ScheduleTaskOnceAsync_SameKeyTwice_KeepsFirstTaskAndIgnoresSecond()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var dueAt = DateTimeOffset.UtcNow.AddMinutes(5);

        var first = await scheduler.ScheduleTaskOnceAsync("order-42", dueAt, new ProbeTask(1));
        var second = await scheduler.ScheduleTaskOnceAsync("order-42", dueAt.AddMinutes(1), new ProbeTask(2));

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(new ScheduleOnceResult("probe/=order-42", true)));
            Assert.That(second, Is.EqualTo(new ScheduleOnceResult("probe/=order-42", false)));
        });
        var task = await scheduler.GetTaskAsync(first.TaskId);
        Assert.That(task!.PayloadJson, Does.Contain("\"number\":1"), "the second call changed nothing");
        Assert.That(await scope.Database.SortedSetLengthAsync(scope.Keys().Due), Is.EqualTo(1));
    }

    [Test]
    public async Task ScheduleTaskOnceAsync_AfterTaskFinished_SchedulesAgain()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var (_, probe) = await scope.StartWorkerAsync("A");
        var first = await scheduler.ScheduleTaskOnceAsync("daily-report", DateTimeOffset.UtcNow, new ProbeTask(1));
        await probe.WaitForAsync(1, TimeSpan.FromSeconds(20));
        var finished = await WaitUntilGoneAsync(scheduler, first.TaskId);

        var again = await scheduler.ScheduleTaskOnceAsync("daily-report", DateTimeOffset.UtcNow, new ProbeTask(2));
        await probe.WaitForAsync(2, TimeSpan.FromSeconds(20));

        Assert.That(finished, Is.True);
        Assert.That(again.Created, Is.True);
        Assert.That(probe.Handled.Select(h => (h.TaskId, h.Payload.Number)), Is.EqualTo(new[] { ("probe/=daily-report", 1), ("probe/=daily-report", 2) }));
    }

    [Test]
    public async Task ScheduleTaskOnceAsync_CancelledTask_FreesTheKey()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var first = await scheduler.ScheduleTaskOnceAsync("k", DateTimeOffset.UtcNow.AddMinutes(1), new ProbeTask(1));

        Assert.That(await scheduler.CancelAsync(first.TaskId), Is.True);
        var again = await scheduler.ScheduleTaskOnceAsync("k", DateTimeOffset.UtcNow.AddMinutes(1), new ProbeTask(2));

        Assert.That(again.Created, Is.True);
    }

    [TestCase("")]
    [TestCase("has|pipe")]
    [TestCase("line\nbreak")]
    public async Task ScheduleTaskOnceAsync_InvalidKey_ThrowsAndWritesNothing(string key)
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();

        var error = Assert.ThrowsAsync<ArgumentException>(() => scheduler.ScheduleTaskOnceAsync(key, DateTimeOffset.UtcNow, new ProbeTask(1)));

        Assert.That(error!.Message, Does.Contain("task key"));
        Assert.That(scope.KeysWritten(), Is.Empty);
    }

    [Test]
    public async Task ScheduleTaskOnceAsync_KeyTooLong_Throws()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();

        Assert.ThrowsAsync<ArgumentException>(() => scheduler.ScheduleTaskOnceAsync(new string('k', 201), DateTimeOffset.UtcNow, new ProbeTask(1)));
        Assert.That(scope.KeysWritten(), Is.Empty);
    }

    [Test]
    public async Task RescheduleAsync_ScheduledTask_MovesDueTimeAndRecord()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var id = await scheduler.ScheduleTaskAsync(DateTimeOffset.UtcNow.AddMinutes(5), new ProbeTask(1));
        var newDue = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddHours(2).ToUnixTimeMilliseconds());

        Assert.That(await scheduler.RescheduleAsync(id, newDue), Is.True);

        var task = await scheduler.GetTaskAsync(id);
        Assert.That(task!.DueAt, Is.EqualTo(newDue));
        Assert.That(task.State, Is.EqualTo(TaskState.Scheduled));
        Assert.That(await scope.Database.SortedSetScoreAsync(scope.Keys().Due, TestScope.Parse(id).LocalId), Is.EqualTo(newDue.ToUnixTimeMilliseconds()));
    }

    [Test]
    public async Task RescheduleAsync_ReadyTask_GoesBackIntoSchedule()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var id = await scheduler.EnqueueTaskAsync(new ProbeTask(1));
        await Dispatching.DueTaskDispatcher.DispatchAsync(scope.Database, scope.Keys(), 10);

        Assert.That(await scheduler.RescheduleAsync(id, DateTimeOffset.UtcNow.AddMinutes(1)), Is.True);

        Assert.That((await scheduler.GetTaskAsync(id))!.State, Is.EqualTo(TaskState.Scheduled));
        Assert.That(await scope.Database.ListLengthAsync(scope.Keys().Ready), Is.Zero);
    }

    [Test]
    public async Task RescheduleAsync_UnknownOrRunningTask_ReturnsFalse()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var (_, probe) = await scope.StartWorkerAsync("A");
        var running = await scheduler.EnqueueTaskAsync(new ProbeTask(1, ProbeBehavior.WaitUntilCancelled));
        await probe.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(await scheduler.RescheduleAsync(running, DateTimeOffset.UtcNow.AddMinutes(1)), Is.False);
        Assert.That(await scheduler.RescheduleAsync("probe/c999", DateTimeOffset.UtcNow.AddMinutes(1)), Is.False);
    }

    [Test]
    public async Task RescheduleAsync_EarlierDueTime_WakesIdleWorker()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var (_, probe) = await scope.StartWorkerAsync("A", configure: o => o.MaxIdleDelay = TimeSpan.FromMinutes(1));
        var id = await scheduler.ScheduleTaskAsync(DateTimeOffset.UtcNow.AddMinutes(10), new ProbeTask(1));

        await scheduler.RescheduleAsync(id, DateTimeOffset.UtcNow.AddMilliseconds(300));
        var handled = await probe.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(handled.TaskId, Is.EqualTo(id));
        Assert.That(handled.StartedAt, Is.GreaterThanOrEqualTo(handled.DueAt));
    }

    private static async Task<bool> WaitUntilGoneAsync(ITaskScheduler scheduler, string id)
    {
        // The handler has returned; the ack that follows is the worker's own round trip, bounded here.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await scheduler.GetTaskAsync(id) is not null)
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }
}
