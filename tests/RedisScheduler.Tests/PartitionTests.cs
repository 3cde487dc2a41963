using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using RedisScheduler.Storage;
using RedisScheduler.Tests.Infrastructure;

namespace RedisScheduler.Tests;

/// <summary>
/// A task type spread over partitions (PartitionTaskType): every task runs once, ids name their
/// partition, task keys stay unique, reads sum over the partitions, recurring schedules and
/// continuations keep working, and changing the count strands nothing. On one server and the cluster.
/// </summary>
[TestFixtureSource(typeof(RedisTarget), nameof(RedisTarget.Names))]
public sealed class PartitionTests(string redis)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static Action<RedisSchedulerOptions> Partitions(int count) => o => o.TaskTypePartitions[typeof(ProbeTask)] = count;

    [Test]
    public async Task Tasks_OnFourPartitions_RunExactlyOnce_FromEveryPartition_AndCountAsOneType()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler(Partitions(4));
        var ids = await ScheduleEachAsync(scheduler, 40, null);

        // A batch of more than one chunk: each chunk goes to a partition.
        ids.AddRange(await scheduler.ScheduleTasksAsync(Enumerable.Range(40, 1100).Select(i => (DateTimeOffset.UtcNow, new ProbeTask(i)))));
        var (_, probe) = await scope.StartWorkerAsync("A", configure: Partitions(4));
        await scope.StartWorkerAsync("B", configure: Partitions(4), probe: probe);

        await probe.WaitForAsync(ids.Count, Bound);
        foreach (var id in ids)
        {
            Assert.That((await scheduler.WaitForCompletionAsync(id, Bound)).Outcome, Is.EqualTo(TaskOutcome.Finished), id);
        }

        var counts = await scope.CreateMonitor().GetCountsAsync("probe");
        Assert.Multiple(() =>
        {
            Assert.That(probe.Handled.Select(h => h.Payload.Number), Is.EquivalentTo(Enumerable.Range(0, ids.Count)), "each task once");
            Assert.That(probe.Handled.Select(h => h.TaskId), Is.EquivalentTo(ids), "the handler sees the id the scheduler returned");
            Assert.That(ids.Take(40).Select(IdType).Distinct(), Is.EquivalentTo(new[] { "probe", "probe#1", "probe#2", "probe#3" }), "round-robin");
            Assert.That(ids.Skip(40).Select(IdType).Distinct().Count(), Is.EqualTo(3), "three chunks, three partitions");
            Assert.That(counts, Is.EqualTo(new TaskCounts("probe", 0, 0, 0, 0, 0, Succeeded: ids.Count, 0)), "the succeeded history of every partition, summed");
        });
    }

    [Test]
    public async Task LogLines_OfAPartitionedType_NameEachTaskByTheIdTheSchedulerReturned()
    {
        await using var scope = new TestScope(redis);
        var ids = await ScheduleEachAsync(scope.CreateScheduler(Partitions(4)), 4, null, ProbeBehavior.WaitUntilCancelled);
        var (host, probe) = await scope.StartWorkerAsync("A", configure: Partitions(4), services: s => s.AddFakeLogging());
        await probe.WaitForAsync(4, Bound);

        await host.StopAsync();

        // Event 6: "Task <type>/<local id> was given back unfinished because the worker is stopping".
        // Distinct: a claim already on its way when the stop began may take a released task back; that
        // delivery is given back too (logged again) without its handler starting.
        var released = host.Services.GetFakeLogCollector().GetSnapshot().Where(r => r.Id.Id == 6).Select(r => r.Message.Split(' ')[1]).Distinct().ToList();
        Assert.That(released, Is.EquivalentTo(ids), "partitions 1-3 are named type#p, as their ids are");
        Assert.That(ids.Select(IdType).Distinct().Count(), Is.EqualTo(4));
        Assert.That(probe.Handled.Select(h => h.TaskId), Is.EquivalentTo(ids), "each handler started once, none again on the stopping worker");
    }

    [Test]
    public async Task Claims_WithABacklogInEveryPartition_StartAtTheNextPartitionEachRound()
    {
        await using var scope = new TestScope(redis);
        await ScheduleEachAsync(scope.CreateScheduler(Partitions(4)), 40, null);

        // One slot, so each claim round takes one task: from the partition the round starts at.
        var (_, probe) = await scope.StartWorkerAsync("A", concurrency: 1, configure: Partitions(4));
        await probe.WaitForAsync(40, Bound);

        var order = probe.Handled.Select(h => IdType(h.TaskId)).ToList();
        Assert.That(order.Take(8).Distinct().Count(), Is.EqualTo(4), "no partition waits for another to run dry: " + string.Join(" ", order));
    }

    [Test]
    public async Task ScheduleTaskOnceAsync_OnFourPartitions_KeyAlwaysMapsToOnePartition_AndStaysUnique()
    {
        await using var scope = new TestScope(redis);
        var first = scope.CreateScheduler(Partitions(4));
        var other = scope.CreateScheduler(Partitions(4));
        var later = DateTimeOffset.UtcNow.AddMinutes(10);

        var created = new List<ScheduleOnceResult>();
        var again = new List<ScheduleOnceResult>();
        for (var i = 0; i < 20; i++)
        {
            created.Add(await first.ScheduleTaskOnceAsync($"order-{i}", later, new ProbeTask(i)));
            again.Add(await other.ScheduleTaskOnceAsync($"order-{i}", later, new ProbeTask(100 + i)));
        }

        Assert.Multiple(() =>
        {
            Assert.That(created.Select(r => r.Created), Has.All.True);
            Assert.That(again.Select(r => r.Created), Has.All.False, "another instance finds the key in the same partition");
            Assert.That(again.Select(r => r.TaskId), Is.EqualTo(created.Select(r => r.TaskId)));
            Assert.That(created.Select(r => IdType(r.TaskId)).Distinct().Count(), Is.GreaterThan(1), "keys spread over the partitions");
            Assert.That(created[3].TaskId, Is.EqualTo(TaskPartitions.IdType("probe", TaskPartitions.ForKey("order-3", 4)) + "/=order-3"));
        });
    }

    [Test]
    public async Task BadPayloads_OfAPartitionedType_WriteNothing_NotEvenThePartitionCount()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler(Partitions(4));

        Assert.ThrowsAsync<ArgumentNullException>(() => scheduler.EnqueueTaskAsync<ProbeTask>(null!));
        Assert.ThrowsAsync<ArgumentNullException>(() => scheduler.ScheduleTaskOnceAsync<ProbeTask>("k", DateTimeOffset.UtcNow, null!));
        Assert.ThrowsAsync<ArgumentNullException>(() => scheduler.ScheduleTasksAsync(Enumerable.Range(0, 600).Select(i => (DateTimeOffset.UtcNow, i == 550 ? null! : new ProbeTask(i)))));
        Assert.ThrowsAsync<ArgumentNullException>(() => scheduler.ScheduleContinuationAsync<ProbeTask>(["probe/c1"], null!));
        Assert.Throws<ArgumentNullException>(() => scheduler.ScheduleTask<ProbeTask>(1, null!));

        Assert.That(scope.KeysWritten(), Is.Empty);
    }

    [Test]
    public async Task GetRescheduleCancel_ById_FindTheTaskInItsPartition()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler(Partitions(4));
        var later = DateTimeOffset.UtcNow.AddMinutes(10);
        var ids = await ScheduleEachAsync(scheduler, 4, later);

        foreach (var id in ids)
        {
            var info = await scheduler.GetTaskAsync(id);
            Assert.That((info!.Id, info.TaskType, info.State), Is.EqualTo((id, "probe", TaskState.Scheduled)));
            Assert.That(await scheduler.RescheduleAsync(id, later.AddMinutes(1)), Is.True);
            Assert.That(await scheduler.CancelAsync(id), Is.True);
            Assert.That(await scheduler.GetTaskAsync(id), Is.Null);
        }

        Assert.That(ids.Select(IdType), Is.Unique);
        Assert.That(await scheduler.GetTaskAsync("probe#63/c1"), Is.Null, "a partition nobody used holds nothing");
    }

    [Test]
    public async Task Monitor_WithoutThePartitionOption_SumsAndPagesEveryPartitionEverUsed()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler(Partitions(3));
        var ids = await ScheduleEachAsync(scheduler, 12, DateTimeOffset.UtcNow.AddMinutes(10));

        // A plain monitor: it learns the partitions from the counts recorded in Redis.
        var monitor = scope.CreateMonitor();
        var counts = await monitor.GetCountsAsync("probe");
        var all = await monitor.ListAsync("probe", TaskState.Scheduled, 0, 100);
        var page = await monitor.ListAsync("probe", TaskState.Scheduled, 5, 5);

        Assert.Multiple(() =>
        {
            Assert.That(counts.Scheduled, Is.EqualTo(12));
            Assert.That(all.Select(t => t.Id), Is.EquivalentTo(ids));
            Assert.That(page.Select(t => t.Id), Is.EqualTo(all.Skip(5).Take(5).Select(t => t.Id)), "pages run through partition 0, then 1, then 2");
            Assert.That(all.Select(t => t.TaskType), Has.All.EqualTo("probe"));
        });
    }

    [Test]
    public async Task ChartData_OfAPartitionedType_AddsUpEveryPartition()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler(Partitions(3));
        await ScheduleEachAsync(scheduler, 12, DateTimeOffset.UtcNow.AddMinutes(10));
        var ran = await ScheduleEachAsync(scheduler, 9, null);
        var (_, probe) = await scope.StartWorkerAsync("A", configure: Partitions(3));
        await probe.WaitForAsync(ran.Count, Bound);
        foreach (var id in ran)
        {
            await scheduler.WaitForCompletionAsync(id, Bound);
        }

        // A plain monitor: it learns the partitions from the counts recorded in Redis.
        var monitor = scope.CreateMonitor();
        var timeline = await monitor.GetDueTimelineAsync("probe");
        var activity = await monitor.GetActivityAsync("probe");

        Assert.Multiple(() =>
        {
            Assert.That(ran.Select(IdType).Distinct().Count(), Is.EqualTo(3), "the tasks that ran came from every partition");
            Assert.That(timeline.Minutes.Sum(), Is.EqualTo(12), "the due tasks of all three partitions");
            Assert.That(timeline.Hours.Sum(), Is.EqualTo(12));
            Assert.That(activity.Minutes.Sum(m => m.Succeeded), Is.EqualTo(9), "the finished tasks of all three partitions");
            Assert.That(activity.Minutes.Where(m => m.Succeeded > 0).Select(m => m.LatenessMax), Has.All.Not.Null);
        });
    }

    [Test]
    public async Task DeadLetters_InEveryPartition_AreListedAndRequeuedAsOneType()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler(Partitions(4));
        var ids = await ScheduleEachAsync(scheduler, 4, null, ProbeBehavior.FailPermanently);
        var (host, probe) = await scope.StartWorkerAsync("A", configure: Partitions(4));
        foreach (var id in ids)
        {
            Assert.That((await scheduler.WaitForCompletionAsync(id, Bound)).Outcome, Is.EqualTo(TaskOutcome.DeadLettered), id);
        }

        var store = host.Services.GetRequiredService<IDeadLetterStore>();
        var letters = await store.ListAsync("probe");
        var requeued = await store.RequeueAllAsync("probe");
        await probe.WaitForAsync(8, Bound);

        Assert.That(ids.Select(IdType).Distinct().Count(), Is.EqualTo(4));
        Assert.That(letters.Select(l => (l.Id, l.TaskType)), Is.EquivalentTo(ids.Select(id => (id, "probe"))));
        Assert.That(requeued, Is.EqualTo(4));
    }

    [Test]
    [NonParallelizable]
    public async Task Gauges_OfAPartitionedType_ReportEachStateOnceSummedOverThePartitions()
    {
        using var tasks = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(null, RedisSchedulerDiagnostics.MeterName, "redis_scheduler.tasks");
        await using var scope = new TestScope(redis);
        var ids = await ScheduleEachAsync(scope.CreateScheduler(Partitions(4)), 8, DateTimeOffset.UtcNow.AddHours(1));
        await scope.StartWorkerAsync("A", configure: Partitions(4));

        // A collection reports the last reading and starts the next in the background, which is read on a later collection.
        IReadOnlyList<Microsoft.Extensions.Diagnostics.Metrics.Testing.CollectedMeasurement<long>> scheduled = [];
        await MetricsTests.WaitUntilAsync(() =>
        {
            tasks.Clear();
            tasks.RecordObservableInstruments();
            scheduled = [.. tasks.GetMeasurementSnapshot().Where(m => (string?)m.Tags[RedisSchedulerDiagnostics.StateTag] == "scheduled")];
            return scheduled.Any(m => m.Value == 8);
        });

        Assert.That(ids.Select(IdType).Distinct().Count(), Is.EqualTo(4));
        Assert.That(scheduled.Select(m => (m.Value, m.Tags["messaging.destination.name"])), Is.EqualTo(new[] { (8L, (object?)"probe") }), "one measurement, not one per partition");
    }

    [Test]
    public async Task RecurringSchedule_OfAPartitionedType_RunsFromPartitionZero()
    {
        await using var scope = new TestScope(redis);
        var (host, probe) = await scope.StartWorkerAsync("A", configure: Partitions(4));
        var manager = host.Services.GetRequiredService<IRecurringTaskManager>();

        await manager.AddOrUpdateAsync("tick", "* * * * * *", new ProbeTask(7));
        await probe.WaitForAsync(2, Bound);

        Assert.That(probe.Handled.Take(2).Select(h => h.TaskId), Has.All.StartWith("probe/@tick:"));
        Assert.That((await manager.ListAsync("probe")).Select(r => r.Name), Is.EqualTo(new[] { "tick" }));
    }

    [Test]
    public async Task Continuation_OfAPartitionedType_WithParentsInEveryPartition_RunsOnceAfterThem()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler(Partitions(4));
        var parents = await ScheduleEachAsync(scheduler, 8, null);

        var continuation = await scheduler.ScheduleContinuationAsync(parents, new ProbeTask(99));
        var (_, probe) = await scope.StartWorkerAsync("A", configure: Partitions(4));

        await probe.WaitForAsync(9, Bound);
        Assert.That((await scheduler.WaitForCompletionAsync(continuation, Bound)).Outcome, Is.EqualTo(TaskOutcome.Finished));
        var handled = probe.Handled;
        Assert.Multiple(() =>
        {
            Assert.That(parents.Select(IdType).Distinct().Count(), Is.EqualTo(4));
            Assert.That(handled.Select(h => h.Payload.Number), Is.EquivalentTo(Enumerable.Range(0, 8).Append(99)), "each once");
            Assert.That(handled[^1].TaskId, Is.EqualTo(continuation), "last, after every parent");
        });
    }

    [Test]
    public async Task PartitionCount_RaisedFromOneToFour_RunsTheTasksScheduledBefore()
    {
        await using var scope = new TestScope(redis);
        var ids = await scope.CreateScheduler().ScheduleTasksAsync(Enumerable.Range(0, 30).Select(i => (DateTimeOffset.UtcNow, new ProbeTask(i))));

        var (_, probe) = await scope.StartWorkerAsync("A", configure: Partitions(4));
        var newer = await scope.CreateScheduler(Partitions(4)).ScheduleTasksAsync(Enumerable.Range(30, 1200).Select(i => (DateTimeOffset.UtcNow, new ProbeTask(i))));
        await probe.WaitForAsync(1230, Bound);

        Assert.That(ids.Select(IdType), Has.All.EqualTo("probe"));
        Assert.That(newer.Select(IdType).Distinct().Count(), Is.GreaterThan(1));
        Assert.That(probe.Handled.Select(h => h.Payload.Number), Is.EquivalentTo(Enumerable.Range(0, 1230)));
    }

    [Test]
    public async Task PartitionCount_LoweredFromFourToOne_WorkersStillClaimEveryPartitionEverUsed()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler(Partitions(4));
        var ids = await ScheduleEachAsync(scheduler, 20, null);

        // A worker configured without partitions.
        var (_, probe) = await scope.StartWorkerAsync("A");
        await probe.WaitForAsync(20, Bound);

        Assert.That(ids.Select(IdType).Distinct().Count(), Is.EqualTo(4));
        Assert.That(probe.Handled.Select(h => h.TaskId), Is.EquivalentTo(ids));
    }

    [Test]
    public async Task GlobalConcurrencyLimit_SplitOverFourPartitions_HoldsAcrossWorkers()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler(Partitions(4));
        await ScheduleEachAsync(scheduler, 40, null, ProbeBehavior.HoldBriefly);

        var (_, probe) = await scope.StartWorkerAsync("A", concurrency: 8, configure: Partitions(4), handler: o => o.GlobalConcurrencyLimit = 6);
        await scope.StartWorkerAsync("B", concurrency: 8, configure: Partitions(4), probe: probe, handler: o => o.GlobalConcurrencyLimit = 6);
        await probe.WaitForAsync(40, Bound);

        Assert.That(probe.MaxRunning, Is.InRange(1, 6), "shares 2, 2, 1, 1");
    }

    private static string IdType(string taskId) => TaskId.Parse(taskId).IdType;

    /// <summary>Schedules tasks 0 to count - 1 one call each (so generated ids go to the partitions in turn): due now, or a second apart from <paramref name="from"/>.</summary>
    private static async Task<List<string>> ScheduleEachAsync(ITaskScheduler scheduler, int count, DateTimeOffset? from, ProbeBehavior behavior = ProbeBehavior.Complete)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            ids.Add(from is { } at
                ? await scheduler.ScheduleTaskAsync(at.AddSeconds(i), new ProbeTask(i, behavior))
                : await scheduler.EnqueueTaskAsync(new ProbeTask(i, behavior)));
        }

        return ids;
    }
}

/// <summary>The partition option and its formats, without a server.</summary>
public sealed class PartitionOptionTests
{
    [Test]
    public void IdType_RoundTrips_AndRejectsWhatNoPartitionIsCalled()
    {
        Assert.Multiple(() =>
        {
            Assert.That(TaskPartitions.IdType("probe", 0), Is.EqualTo("probe"), "partition 0 is the type itself: existing ids and keys unchanged");
            Assert.That(TaskPartitions.IdType("probe", 12), Is.EqualTo("probe#12"));
            Assert.That(TaskPartitions.TryParseIdType("probe#12", out var type, out var partition) && type == "probe" && partition == 12, Is.True);
            Assert.That(new[] { "probe#0", "probe#01", "probe#64", "probe#", "#1", "probe#1#2", "probe#-1", "probe# 1" }.Where(t => TaskPartitions.TryParseIdType(t, out _, out _)), Is.Empty);
            Assert.That(TaskId.Parse("probe#3/c1"), Is.EqualTo(("probe#3", "c1")));
            Assert.Throws<ArgumentException>(() => TaskId.Parse("probe#0/c1"));
            Assert.That(new TaskTypeKeys("p", "probe", 2).Due.ToString(), Is.EqualTo("p:{probe#2}:due"));
            Assert.That(new TaskTypeKeys("p", "probe").Due.ToString(), Is.EqualTo("p:{probe}:due"));
            // FNV-1a: pinned, as every process and version must send a key to the same partition.
            Assert.That(Enumerable.Range(0, 6).Select(i => TaskPartitions.ForKey($"order-{i}", 4)), Is.EqualTo(new[] { 2, 1, 0, 3, 2, 1 }));
        });
    }

    [Test]
    public void Start_LimitBelowThePartitionCount_FailsSayingHowToFix()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddRedisScheduler(o => o.Configuration = "localhost:1")
            .PartitionTaskType<ProbeTask>(4)
            .AddTaskHandler<ProbeHandler>(o => o.GlobalConcurrencyLimit = 3);
        using var host = builder.Build();

        var failure = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptionsMonitor<TaskHandlerOptions>>().Get(typeof(ProbeHandler).FullName));
        Assert.That(failure!.Message, Does.Contain("at least the partition count").And.Contain("Raise the limit, or give the type fewer partitions"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ServiceCollection().AddRedisScheduler().PartitionTaskType<ProbeTask>(65));
    }
}
