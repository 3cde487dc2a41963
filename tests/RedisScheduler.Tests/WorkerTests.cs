using NUnit.Framework;
using RedisScheduler.Storage;
using RedisScheduler.Tests.Infrastructure;

namespace RedisScheduler.Tests;

[TestFixtureSource(typeof(RedisTarget), nameof(RedisTarget.Names))]
public sealed class WorkerTests(string redis)
{
    // A fallback check far longer than the delays below: a task can only run on time if the worker
    // slept until its due time or was woken by the schedule, never because it polled.
    private static readonly TimeSpan NoPolling = TimeSpan.FromMinutes(1);

    [Test]
    public async Task Handler_TaskDueInFuture_RunsNotBeforeDueTimeAndSoonAfter()
    {
        await using var scope = new TestScope(redis);
        var (_, probe) = await scope.StartWorkerAsync("A", configure: o => o.MaxIdleDelay = NoPolling);
        var scheduler = scope.CreateScheduler();

        var dueAt = DateTimeOffset.UtcNow.AddMilliseconds(1_500);
        await scheduler.ScheduleTaskAsync(dueAt, new ProbeTask(1));
        var handled = await probe.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(handled.StartedAt, Is.GreaterThanOrEqualTo(handled.DueAt), "never early");
        // A loose bound: precise lateness is measured by the sample and the load test, not here.
        Assert.That(handled.StartedAt - handled.DueAt, Is.LessThan(TimeSpan.FromSeconds(2)), "woken at its due time, not by the one-minute fallback");
    }

    [Test]
    public async Task Handler_TasksWithDifferentDueTimes_RunInDueOrder()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var baseTime = DateTimeOffset.UtcNow.AddMilliseconds(800);
        var offsets = new[] { 500, 300, 700, 100, 900 };
        foreach (var offset in offsets)
        {
            await scheduler.ScheduleTaskAsync(baseTime.AddMilliseconds(offset), new ProbeTask(offset));
        }

        var (_, probe) = await scope.StartWorkerAsync("A", concurrency: 1, configure: o => o.MaxIdleDelay = NoPolling);
        await probe.WaitForAsync(offsets.Length, TimeSpan.FromSeconds(20));

        Assert.That(probe.Handled.Select(h => h.Payload.Number), Is.EqualTo(offsets.Order()));
        Assert.That(probe.Handled.All(h => h.StartedAt >= h.DueAt), Is.True, "never early");
    }

    [Test]
    public async Task Handler_CancelledTask_NeverRuns()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var cancelled = await scheduler.ScheduleTaskAsync(DateTimeOffset.UtcNow.AddMilliseconds(600), new ProbeTask(1));
        await scheduler.ScheduleTaskAsync(DateTimeOffset.UtcNow.AddMilliseconds(900), new ProbeTask(2));
        Assert.That(await scheduler.CancelAsync(cancelled), Is.True);

        var (_, probe) = await scope.StartWorkerAsync("A", concurrency: 1);
        await probe.WaitForAsync(1, TimeSpan.FromSeconds(20));

        // With one slot and due order, the cancelled task would have run before the later one.
        Assert.That(probe.Handled.Select(h => h.Payload.Number), Is.EqualTo(new[] { 2 }));
    }

    [Test]
    public async Task Handler_BlocksItsThread_TasksClaimedWithItStillStart()
    {
        await using var scope = new TestScope(redis);
        var (_, probe) = await scope.StartWorkerAsync("A", concurrency: 4);
        var scheduler = scope.CreateScheduler();
        try
        {
            // One call, so one claim takes all four, the blocking one first.
            var now = DateTimeOffset.UtcNow;
            await scheduler.ScheduleTasksAsync(new[]
            {
                (now, new ProbeTask(1, ProbeBehavior.BlockThreadUntilReleased)),
                (now, new ProbeTask(2)),
                (now, new ProbeTask(3)),
                (now, new ProbeTask(4)),
            });

            await probe.WaitForAsync(4, TimeSpan.FromSeconds(20));
            Assert.That(probe.Release.Task.IsCompleted, Is.False, "the first handler still holds its thread while the others ran");
        }
        finally
        {
            probe.Release.TrySetResult();
        }
    }

    [Test]
    public async Task Handler_TwoHostsShare10000Tasks_NoneLostNoneTwice()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var dueAt = DateTimeOffset.UtcNow.AddSeconds(1);
        var ids = await scheduler.ScheduleTasksAsync(Enumerable.Range(0, 10_000).Select(i => (dueAt, new ProbeTask(i))));

        var probe = new TaskProbe();
        var (hostA, _) = await scope.StartWorkerAsync("A", concurrency: 16, probe: probe);
        var (hostB, _) = await scope.StartWorkerAsync("B", concurrency: 16, probe: probe);
        await probe.WaitForAsync(10_000, TimeSpan.FromSeconds(90));
        await hostA.StopAsync();
        await hostB.StopAsync();

        var handled = probe.Handled;
        Assert.Multiple(() =>
        {
            Assert.That(handled.Select(h => h.TaskId), Is.EquivalentTo(ids), "every task ran exactly once");
            Assert.That(handled.Count(h => h.Host == "A"), Is.Positive);
            Assert.That(handled.Count(h => h.Host == "B"), Is.Positive);
            Assert.That(handled.All(h => h.Attempt == 1), Is.True);
            Assert.That(handled.All(h => h.StartedAt >= h.DueAt), Is.True, "never early");
        });
        Assert.That(scope.KeysWritten().Select(k => k.ToString()), Is.EquivalentTo(new[] { scope.Keys().Sequence.ToString(), scope.Keys().Succeeded.ToString() }), "finished tasks leave nothing behind");
    }

    [Test]
    public async Task Handler_FailsFirstAttempt_IsRetriedWithNextAttemptNumber()
    {
        await using var scope = new TestScope(redis);
        var (_, probe) = await scope.StartWorkerAsync("A", configure: o => o.Retry.JitterFactor = 0);
        var id = await scope.CreateScheduler().EnqueueTaskAsync(new ProbeTask(1, ProbeBehavior.FailOnFirstAttempt));

        await probe.WaitForAsync(2, TimeSpan.FromSeconds(20));

        Assert.That(probe.Handled.Select(h => (h.TaskId, h.Attempt)), Is.EqualTo(new[] { (id, 1), (id, 2) }));
        var gap = probe.Handled[1].StartedAt - probe.Handled[0].StartedAt;
        // InitialDelay is 1 s; the server clock is read in whole milliseconds, hence the 1 ms slack.
        Assert.That(gap, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(999)), "the retry waits for its backoff");
    }

    [Test]
    public async Task StopAsync_WhileHandlerRuns_GivesTaskBackAtOnce()
    {
        await using var scope = new TestScope(redis);
        var (host, probe) = await scope.StartWorkerAsync("A", configure: o => o.LeaseDuration = TimeSpan.FromMinutes(10));
        var scheduler = scope.CreateScheduler();
        var id = await scheduler.EnqueueTaskAsync(new ProbeTask(1, ProbeBehavior.WaitUntilCancelled));
        await probe.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        await host.StopAsync();

        var task = await scheduler.GetTaskAsync(id);
        Assert.That(task!.State, Is.EqualTo(TaskState.Ready), "released to the ready list, not left to a ten-minute lease");
        Assert.That(await scope.Database.SortedSetLengthAsync(scope.Keys().InFlight), Is.Zero);
    }

    [Test]
    public async Task StopAsync_HandlerReturnedButAckHeldUp_WaitsForTheAckBeforeStopping()
    {
        await using var scope = new TestScope(redis);
        var (host, probe) = await scope.StartWorkerAsync("A", configure: o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        var scheduler = scope.CreateScheduler();
        var id = await scheduler.EnqueueTaskAsync(new ProbeTask(1, ProbeBehavior.IgnoreCancellation));
        await probe.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // Writes (scripts included) wait while Redis is paused: the handler returns, its slot is
        // free, and its acknowledgement cannot land until the pause ends.
        await scope.Database.ExecuteAsync("CLIENT", "PAUSE", "1500", "WRITE");
        var stopping = host.StopAsync();
        probe.Release.TrySetResult();
        await stopping;

        var (_, localId) = TestScope.Parse(id);
        Assert.That(await scope.Database.HashExistsAsync(scope.Keys().Tasks, localId), Is.False, "acknowledged before the worker stopped");
        Assert.That(await scope.Database.SortedSetLengthAsync(scope.Keys().InFlight), Is.Zero);
    }
}
