using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisScheduler.Handling;
using RedisScheduler.Registry;
using RedisScheduler.Tests.Infrastructure;

namespace RedisScheduler.Tests;

/// <summary>The worker registry: instances register, beat and deregister; dead ones expire.</summary>
[TestFixtureSource(typeof(RedisTarget), nameof(RedisTarget.Names))]
public sealed class RegistryTests(string redis)
{
    private static readonly TimeSpan FastBeat = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan FastTimeout = TimeSpan.FromSeconds(1);

    [Test]
    public async Task ListWorkersAsync_HostRunning_ListsItsTypesAndRunningCount_GoneAtOnceAfterStop()
    {
        await using var scope = new TestScope(redis);
        var (host, probe) = await scope.StartWorkerAsync("A", concurrency: 3, configure: Fast);
        var monitor = host.Services.GetRequiredService<ITaskMonitor>();
        var id = await scope.CreateScheduler().EnqueueTaskAsync(new ProbeTask(1, ProbeBehavior.IgnoreCancellation));
        await probe.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var worker = await PollAsync(monitor, all => all.SingleOrDefault(w => w.RunningTasks == 1), "the running task in a heartbeat");

        Assert.Multiple(() =>
        {
            Assert.That(worker.MachineName, Is.EqualTo(Environment.MachineName));
            Assert.That(worker.ProcessId, Is.EqualTo(Environment.ProcessId));
            Assert.That(worker.TaskTypes, Is.EqualTo(new[] { new WorkerTaskType("probe", 3) }));
            Assert.That(worker.LibraryVersion, Does.StartWith("0."));
            Assert.That(worker.InstanceId, Does.StartWith($"{Environment.MachineName}:{Environment.ProcessId}:"));
            Assert.That(worker.ExpiresAt - worker.LastHeartbeat, Is.EqualTo(FastTimeout));
            Assert.That(worker.StartedAt, Is.LessThanOrEqualTo(DateTimeOffset.UtcNow));
            Assert.That(worker.RunningTaskIds, Is.EqualTo(new[] { id }), "the running task's id rides in the same heartbeat as its count");
        });
        Assert.That(await monitor.ListTaskTypesAsync(), Is.EqualTo(new[] { "probe" }));

        probe.Release.SetResult();
        await host.StopAsync();

        Assert.That(await monitor.ListWorkersAsync(), Is.Empty, "deregistered on a graceful stop, without waiting for the timeout");
    }

    [Test]
    public async Task ListWorkersAsync_BlockedTaskEnds_ItsIdGoneAtTheNextHeartbeat()
    {
        await using var scope = new TestScope(redis);
        var (host, probe) = await scope.StartWorkerAsync("A", concurrency: 3, configure: Fast);
        var monitor = host.Services.GetRequiredService<ITaskMonitor>();
        var scheduler = scope.CreateScheduler();
        var id = await scheduler.EnqueueTaskAsync(new ProbeTask(1, ProbeBehavior.IgnoreCancellation));
        var running = await PollAsync(monitor, all => all.SingleOrDefault(w => w.RunningTaskIds.Contains(id)), "the blocked task's id in a heartbeat");

        probe.Release.SetResult();
        Assert.That((await scheduler.WaitForCompletionAsync(id, TimeSpan.FromSeconds(20))).Outcome, Is.EqualTo(TaskOutcome.Finished), "the handler (no result) returned");
        var after = await PollAsync(monitor, all => all.SingleOrDefault(w => w.RunningTaskIds.Count == 0), "a heartbeat without the finished task");

        Assert.Multiple(() =>
        {
            Assert.That(running.RunningTaskIds, Is.EqualTo(new[] { id }));
            Assert.That(after.InstanceId, Is.EqualTo(running.InstanceId));
            Assert.That(after.RunningTasks, Is.Zero);
            Assert.That(after.LastHeartbeat, Is.GreaterThan(running.LastHeartbeat), "a later heartbeat dropped it; nothing in Redis is per task");
        });
    }

    [Test]
    public async Task ListWorkersAsync_MoreRunningThanTheBound_ListsTheBoundOfThem_AndTheTrueCount()
    {
        const int Blocked = WorkerRecord.MaxRunningTaskIds + 10;
        await using var scope = new TestScope(redis);
        var (host, probe) = await scope.StartWorkerAsync("A", concurrency: Blocked, configure: Fast);
        var monitor = host.Services.GetRequiredService<ITaskMonitor>();
        try
        {
            var ids = await scope.CreateScheduler().ScheduleTasksAsync(Enumerable.Range(1, Blocked).Select(i => (DateTimeOffset.UtcNow, new ProbeTask(i, ProbeBehavior.IgnoreCancellation))));
            await probe.WaitForAsync(Blocked, TimeSpan.FromSeconds(30));

            var worker = await PollAsync(monitor, all => all.SingleOrDefault(w => w.RunningTasks == Blocked), "every blocked task counted in a heartbeat");

            Assert.That(worker.RunningTaskIds, Has.Count.EqualTo(WorkerRecord.MaxRunningTaskIds).And.Unique.And.SubsetOf(ids));
        }
        finally
        {
            probe.Release.SetResult(); // the handlers ignore cancellation: the host's stop waits for them
        }
    }

    [Test]
    public void RunningTaskIds_SeveralTypes_EachGetsItsShareOfTheBound()
    {
        var workers = new InstanceWorkers(TimeProvider.System);
        var busy = Held(workers.Add("busy", 100), "busy", 80);
        var quiet = Held(workers.Add("quiet", 100), "quiet", 3);
        var half = Held(workers.Add("half", 100), "half", 30);

        var ids = workers.RunningTaskIds(WorkerRecord.MaxRunningTaskIds);

        Assert.Multiple(() =>
        {
            Assert.That(ids, Has.Count.EqualTo(WorkerRecord.MaxRunningTaskIds).And.Unique);
            Assert.That(ids.Where(quiet.Contains), Has.Exactly(3).Items, "a quiet type's tasks all shown beside a busy one");
            Assert.That(ids.Count(busy.Contains), Is.EqualTo(ids.Count(half.Contains)).Within(1), "what the quiet type left is shared by the others");
        });

        static HashSet<string> Held(WorkerPulse pulse, string idType, int count)
        {
            var tasks = new InFlightTasks();
            pulse.Started(tasks);
            for (var i = 0; i < count; i++)
            {
                tasks.Add(new ClaimedTask($"c{i}", new ClaimCall("t", 0, 0, idType), default));
            }

            return [.. Enumerable.Range(0, count).Select(i => $"{idType}/c{i}")];
        }
    }

    [Test]
    public void WorkerRecord_WrittenAndParsed_KeepsTheBoundedIds_AndAnOlderRecordWithoutIdsParses()
    {
        var ids = Enumerable.Range(0, WorkerRecord.MaxRunningTaskIds + 5).Select(i => $"probe#2/c{i}").ToList();
        var written = WorkerRecord.Write("m", 7, "0.1", DateTimeOffset.UnixEpoch, FastTimeout, ids.Count, ids, []);

        var parsed = WorkerRecord.Parse("m:7:x", 5_000, written);
        var older = WorkerRecord.Parse("m:7:y", 5_000, """{"machine":"m","pid":7,"version":"0.0","started":0,"timeout":1000,"running":2,"types":[]}"""u8);

        Assert.Multiple(() =>
        {
            Assert.That(parsed.RunningTasks, Is.EqualTo(ids.Count), "the true count");
            Assert.That(parsed.RunningTaskIds, Is.EqualTo(ids.Take(WorkerRecord.MaxRunningTaskIds)), "the ids, cut at the bound");
            Assert.That(older.RunningTasks, Is.EqualTo(2));
            Assert.That(older.RunningTaskIds, Is.Empty);
        });
    }

    [Test]
    public async Task ListWorkersAsync_WorkerProcessKilled_GoneWithinHeartbeatTimeout()
    {
        await using var scope = new TestScope(redis);
        var monitor = scope.CreateMonitor();
        using var worker = FaultTests.StartTestWorker(scope, 30_000, "200", "1000");
        try
        {
            await PollAsync(monitor, all => all.SingleOrDefault(w => w.ProcessId == worker.Id), "the worker process registering", TimeSpan.FromSeconds(60));
        }
        finally
        {
            worker.Kill(entireProcessTree: true); // SIGKILL: it cannot deregister
            await worker.WaitForExitAsync();
        }

        var killed = Stopwatch.StartNew();
        Assert.That(await monitor.ListWorkersAsync(), Has.Count.EqualTo(1), "still listed right after the kill: only the timeout removes it");
        await PollAsync(monitor, all => all.Count == 0 ? "gone" : null, "the killed worker expiring");

        Assert.That(killed.Elapsed, Is.LessThan(FastTimeout + TimeSpan.FromSeconds(1)), "gone within the heartbeat timeout");
        Assert.That(await scope.Database.HashLengthAsync($"{scope.Prefix}:{{:registry}}:info"), Is.Zero, "its registration pruned when read");
    }

    [Test]
    public async Task ListWorkersAsync_TwoHosts_ListsBoth_StopOne_ListsTheOther()
    {
        await using var scope = new TestScope(redis);
        var (a, _) = await scope.StartWorkerAsync("A", configure: Fast);
        var (b, _) = await scope.StartWorkerAsync("B", configure: Fast);
        var monitor = a.Services.GetRequiredService<ITaskMonitor>();
        var idOfB = b.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<WorkerRegistry>().Single().InstanceId;

        await PollAsync(monitor, all => all.Count == 2 ? "both" : null, "both hosts registering");
        await a.StopAsync();

        Assert.That((await monitor.ListWorkersAsync()).Select(w => w.InstanceId), Is.EqualTo(new[] { idOfB }));
    }

    [Test]
    public void HeartbeatTimeout_LessThanTwoIntervals_IsRejectedWithHowToFix()
    {
        var services = new ServiceCollection();
        services.AddRedisScheduler(o => (o.Configuration, o.HeartbeatInterval, o.HeartbeatTimeout) = ("localhost", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(9)));
        using var provider = services.BuildServiceProvider();

        var failure = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => _ = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<RedisSchedulerOptions>>().Value);
        Assert.That(failure!.Message, Does.Contain("HeartbeatTimeout").And.Contain("twice HeartbeatInterval"));
    }

    private static void Fast(RedisSchedulerOptions o) => (o.HeartbeatInterval, o.HeartbeatTimeout) = (FastBeat, FastTimeout);

    /// <summary>A bounded poll of the registry: there is no event for a heartbeat or an expiry to await.</summary>
    private static async Task<T> PollAsync<T>(ITaskMonitor monitor, Func<IReadOnlyList<WorkerInfo>, T?> found, string what, TimeSpan? timeout = null)
        where T : class
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var workers = await monitor.ListWorkersAsync();
            if (found(workers) is { } result)
            {
                return result;
            }

            if (deadline.Elapsed > (timeout ?? TimeSpan.FromSeconds(20)))
            {
                Assert.Fail($"Timed out waiting for {what}; the registry lists: {string.Join("; ", workers)}");
            }

            await Task.Delay(50);
        }
    }
}
