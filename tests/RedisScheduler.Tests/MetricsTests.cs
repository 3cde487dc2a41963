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
        using var running = Collect<long>("redis_scheduler.tasks.running");
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
            Assert.That(running.GetMeasurementSnapshot().Select(m => m.Value), Is.EquivalentTo(new long[] { 1, 1, 1, -1, -1, -1 }));
        });
    }

    [Test]
    public async Task Outcomes_RetriedThenDeadLettered_AreCountedByKind()
    {
        using var outcomes = Collect<long>("redis_scheduler.task.outcomes");
        using var duration = Collect<double>("messaging.process.duration");
        await using var scope = new TestScope();
        var (_, probe) = await scope.StartWorkerAsync("worker", configure: o => o.Retry = new RetryPolicy { InitialDelay = TimeSpan.FromMilliseconds(10), MaxAttempts = 2 });
        await scope.CreateScheduler().EnqueueTaskAsync(new ProbeTask(1, ProbeBehavior.AlwaysFail));

        await WaitUntilAsync(() => Sum(outcomes) == 2);

        Assert.That(outcomes.GetMeasurementSnapshot().Select(m => m.Tags[RedisSchedulerDiagnostics.OutcomeTag]), Is.EqualTo(new[] { "retried", "dead_lettered" }));
        Assert.That(duration.GetMeasurementSnapshot().Select(m => m.Tags["error.type"]), Has.All.EqualTo(typeof(InvalidOperationException).FullName));
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
