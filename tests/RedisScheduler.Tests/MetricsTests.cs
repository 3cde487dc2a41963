using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NUnit.Framework;
using RedisScheduler.Tests.Infrastructure;

namespace RedisScheduler.Tests;

/// <summary>The library's instruments, read with MetricCollector while a real worker runs tasks.</summary>
[NonParallelizable]
public sealed class MetricsTests
{
    private static MetricCollector<T> Collect<T>(string instrument)
        where T : struct
        => new(null, RedisSchedulerDiagnostics.MeterName, instrument);

    [Test]
    public async Task Instruments_TasksRun_OneMeasurementEachPerRunWithTheTaskTypeTag()
    {
        using var lateness = Collect<double>("redis_scheduler.task.lateness");
        using var duration = Collect<double>("messaging.process.duration");
        using var sent = Collect<long>("messaging.client.sent.messages");
        using var consumed = Collect<long>("messaging.client.consumed.messages");
        using var outcomes = Collect<long>("redis_scheduler.task.outcomes");
        await using var scope = new TestScope();
        var (_, probe) = await scope.StartWorkerAsync("worker");
        var scheduler = scope.CreateScheduler();
        for (var i = 0; i < 3; i++)
        {
            await scheduler.ScheduleTaskAsync(TimeSpan.FromMilliseconds(50), new ProbeTask(i));
        }

        await probe.WaitForAsync(3, TimeSpan.FromSeconds(20));
        await WaitUntilAsync(() => Sum(outcomes) == 3);

        Assert.Multiple(() =>
        {
            var late = lateness.GetMeasurementSnapshot();
            Assert.That(late, Has.Count.EqualTo(3), "one lateness measurement per run");
            Assert.That(late.Min(m => m.Value), Is.GreaterThanOrEqualTo(0.0));
            Assert.That(late.Max(m => m.Value), Is.LessThan(5.0));
            Assert.That(late.Select(m => m.Tags["messaging.destination.name"]), Has.All.EqualTo("probe"));
            Assert.That(late.Select(m => m.Tags.ContainsKey("messaging.message.id")), Has.All.False, "never a task id");
            Assert.That(duration.GetMeasurementSnapshot(), Has.Count.EqualTo(3));
            Assert.That(Sum(sent), Is.EqualTo(3));
            Assert.That(sent.GetMeasurementSnapshot().Select(m => m.Tags["messaging.operation.name"]), Has.All.EqualTo("send"));
            Assert.That(Sum(consumed), Is.EqualTo(3));
            Assert.That(outcomes.GetMeasurementSnapshot().Select(m => m.Tags[RedisSchedulerDiagnostics.OutcomeTag]), Has.All.EqualTo("succeeded"));
        });
    }

    [Test]
    public async Task Running_HandlersThatWait_AreObservedUntilTheyEnd()
    {
        using var running = Collect<long>("redis_scheduler.tasks.running");
        await using var scope = new TestScope();
        var (_, probe) = await scope.StartWorkerAsync("worker", concurrency: 4);
        var scheduler = scope.CreateScheduler();
        await scheduler.EnqueueTaskAsync(new ProbeTask(0, ProbeBehavior.IgnoreCancellation));
        await scheduler.EnqueueTaskAsync(new ProbeTask(1, ProbeBehavior.IgnoreCancellation));
        await probe.WaitForAsync(2, TimeSpan.FromSeconds(20));

        running.RecordObservableInstruments();
        var whileWaiting = running.LastMeasurement!;
        probe.Release.SetResult();

        // Observed, not counted per run: each collection reads the count as it is then.
        await WaitUntilAsync(() =>
        {
            running.RecordObservableInstruments();
            return running.LastMeasurement!.Value == 0;
        });
        Assert.Multiple(() =>
        {
            Assert.That(whileWaiting.Value, Is.EqualTo(2), "both handlers run");
            Assert.That(whileWaiting.Tags["messaging.destination.name"], Is.EqualTo("probe"));
            Assert.That(whileWaiting.Tags.ContainsKey("messaging.message.id"), Is.False, "never a task id");
        });
    }

    [Test]
    public async Task Outcomes_RetriedThenDeadLettered_AreCountedByKind()
    {
        using var outcomes = Collect<long>("redis_scheduler.task.outcomes");
        using var duration = Collect<double>("messaging.process.duration");
        using var lateness = Collect<double>("redis_scheduler.task.lateness");
        await using var scope = new TestScope();
        var (_, probe) = await scope.StartWorkerAsync("worker", configure: o => o.Retry = new RetryPolicy { InitialDelay = TimeSpan.FromMilliseconds(10), MaxAttempts = 2 });
        await scope.CreateScheduler().EnqueueTaskAsync(new ProbeTask(1, ProbeBehavior.AlwaysFail));

        await WaitUntilAsync(() => Sum(outcomes) == 2);

        Assert.That(outcomes.GetMeasurementSnapshot().Select(m => m.Tags[RedisSchedulerDiagnostics.OutcomeTag]), Is.EqualTo(new[] { "retried", "dead_lettered" }));
        Assert.That(duration.GetMeasurementSnapshot().Select(m => m.Tags["error.type"]), Has.All.EqualTo(typeof(InvalidOperationException).FullName));
        Assert.That(lateness.GetMeasurementSnapshot(), Has.Count.EqualTo(2), "one lateness measurement per run, the retry's too");
    }

    [Test]
    public async Task Gauges_BusyWorkerWithABacklog_MatchTheMonitorsCountsAndTheOldestDueTasksAge()
    {
        using var tasks = Collect<long>("redis_scheduler.tasks");
        using var age = Collect<double>("redis_scheduler.queue.oldest_due.age");
        await using var scope = new TestScope();
        var (host, probe) = await scope.StartWorkerAsync("worker", concurrency: 1);
        var scheduler = scope.CreateScheduler();
        await scheduler.EnqueueTaskAsync(new ProbeTask(0, ProbeBehavior.WaitUntilCancelled));
        await probe.WaitForAsync(1, TimeSpan.FromSeconds(20));
        // The only slot is taken: these two are due and wait; three more are due in an hour.
        await scheduler.EnqueueTaskAsync(new ProbeTask(1));
        await scheduler.EnqueueTaskAsync(new ProbeTask(2));
        for (var i = 0; i < 3; i++)
        {
            await scheduler.ScheduleTaskAsync(TimeSpan.FromHours(1), new ProbeTask(10 + i));
        }

        await Task.Delay(300);
        var counts = await host.Services.GetRequiredService<ITaskMonitor>().GetCountsAsync("probe");
        // The first collection starts a reading in the background and never waits for it.
        await WaitUntilAsync(() =>
        {
            tasks.RecordObservableInstruments();
            age.RecordObservableInstruments();
            return tasks.GetMeasurementSnapshot().Count > 0 && age.GetMeasurementSnapshot().Count > 0;
        });

        var byState = tasks.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags[RedisSchedulerDiagnostics.StateTag]!, m => m.Value);
        Assert.Multiple(() =>
        {
            Assert.That(byState, Is.EquivalentTo(new Dictionary<string, long>
            {
                ["scheduled"] = counts.Scheduled,
                ["ready"] = counts.Ready,
                ["processing"] = counts.Processing,
                ["dead_lettered"] = counts.DeadLettered,
                ["waiting"] = counts.Waiting,
                ["succeeded"] = counts.Succeeded,
                ["failed"] = counts.Failed,
            }));
            Assert.That(counts.Scheduled + counts.Ready, Is.EqualTo(5));
            Assert.That(counts.Processing, Is.EqualTo(1));
            Assert.That(tasks.GetMeasurementSnapshot().Select(m => m.Tags["messaging.destination.name"]), Has.All.EqualTo("probe"));
            Assert.That(age.LastMeasurement!.Value, Is.GreaterThanOrEqualTo(0.3).And.LessThan(10.0), "the two due tasks have waited since they were enqueued");
        });
    }

    internal static long Sum(MetricCollector<long> collector) => collector.GetMeasurementSnapshot().Sum(m => m.Value);

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("The condition did not hold within 20 s.");
            }

            await Task.Delay(20);
        }
    }
}
