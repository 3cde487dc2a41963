using System.Collections.Concurrent;
using System.Diagnostics;
using NUnit.Framework;
using RedisScheduler.Tests.Infrastructure;

namespace RedisScheduler.Tests;

/// <summary>
/// <see cref="RedisSchedulerOptions.WaitForReplicas"/>: a schedule call returns only once replicas
/// have the task, so a failover cannot lose a schedule that was confirmed. On one server (no
/// replicas) every call reports the shortfall; under Sentinel and on the cluster the master is killed
/// again and again while tasks are scheduled, and every confirmed schedule must run.
/// </summary>
[NonParallelizable]
public sealed class DurabilityTests
{
    [Test]
    public async Task ScheduleTaskAsync_FewerReplicasThanRequired_ThrowsNamingTheTaskWhichExists()
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler(o => { o.WaitForReplicas = 1; o.WaitForReplicasTimeout = TimeSpan.FromMilliseconds(20); });

        var error = Assert.ThrowsAsync<ReplicationTimeoutException>(() => scheduler.ScheduleTaskAsync(TimeSpan.FromHours(1), new ProbeTask(1)))!;

        Assert.That(error.TaskIds, Has.Count.EqualTo(1));
        Assert.That((error.RequiredReplicas, error.AcknowledgedReplicas), Is.EqualTo((1, 0)));
        Assert.That(error.Message, Does.Contain("0 of the 1 replica(s)").And.Contain("GetTaskAsync"));
        Assert.That(await scheduler.GetTaskAsync(error.TaskIds[0]), Is.Not.Null, "the task reached the master: the exception says it may exist");
    }

    [Test]
    public async Task ScheduleTasksAsync_FewerReplicasThanRequired_OneWaitAndOneExceptionForTheWholeBatch()
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler(o => { o.WaitForReplicas = 1; o.WaitForReplicasTimeout = TimeSpan.FromMilliseconds(20); });
        var tasks = Enumerable.Range(0, 1200).Select(i => (DateTimeOffset.UtcNow.AddHours(1), new ProbeTask(i))).ToList();
        var before = WaitCalls(scope);

        var error = Assert.ThrowsAsync<ReplicationTimeoutException>(() => scheduler.ScheduleTasksAsync(tasks))!;

        Assert.That(error.TaskIds, Has.Count.EqualTo(1200));
        Assert.That(WaitCalls(scope) - before, Is.EqualTo(1), "three script calls, one WAIT");
    }

    [Test]
    public async Task ScheduleBatchAsync_FewerReplicasThanRequired_WaitsAfterTheCompletionAndAfterTheTasks_AndThrowsNamingThemAll()
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler(o => { o.WaitForReplicas = 1; o.WaitForReplicasTimeout = TimeSpan.FromMilliseconds(20); });
        var before = WaitCalls(scope);

        var error = Assert.ThrowsAsync<ReplicationTimeoutException>(() => scheduler.ScheduleBatchAsync(Enumerable.Range(0, 3).Select(i => new ProbeTask(i)), new ContinuationTests.Join("durable")))!;

        // One WAIT on the completion task's master and one on the tasks' (the same server here).
        Assert.That(WaitCalls(scope) - before, Is.EqualTo(2));
        Assert.That(error.TaskIds, Has.Count.EqualTo(4), "the batch id and its three tasks");
        var progress = await scheduler.GetBatchProgressAsync(error.TaskIds[0]);
        Assert.That(progress?.Total, Is.EqualTo(3), "the batch was written whole: only its safety from a failover is in doubt");
        foreach (var id in error.TaskIds.Skip(1))
        {
            Assert.That(await scheduler.GetTaskAsync(id), Is.Not.Null, id);
        }
    }

    [Test]
    public async Task ScheduleTaskAsync_WithoutTheOption_SendsNoWait()
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler();
        var before = WaitCalls(scope);

        await scheduler.ScheduleTaskAsync(TimeSpan.FromHours(1), new ProbeTask(1));

        Assert.That(WaitCalls(scope) - before, Is.Zero);
    }

    [Test]
    public async Task Sentinel_MasterKilledThreeTimes_NoConfirmedScheduleIsLost()
    {
        var sentinel = RedisServerFixture.Sentinel;
        sentinel.WaitUntilFormed();
        RedisServerProcess Master() => RedisSentinelSet.MasterPortSeenBy(sentinel.Sentinels[0]) == sentinel.Master.Port ? sentinel.Master : sentinel.Replica;
        await using var scope = new TestScope(RedisTarget.SentinelName);

        await RunKillRoundsAsync(scope, Master, () => sentinel.WaitUntilFormed());
    }

    [Test]
    public async Task Cluster_MasterOfTheTypeKilledTwice_NoConfirmedScheduleIsLost()
    {
        var cluster = RedisServerFixture.Cluster;
        await using var scope = new TestScope(RedisTarget.ClusterName);
        var slot = cluster.SlotOf(scope.Keys().Due.ToString());

        RedisServerProcess? Master()
        {
            try
            {
                return cluster.MasterOf(slot);
            }
            catch (InvalidOperationException)
            {
                // The slot has no live master while the cluster fails over.
                return null;
            }
        }

        await RunKillRoundsAsync(scope, Master, () => cluster.WaitUntilFormed(), rounds: 2);
    }

    /// <summary>
    /// A worker, and a task scheduled every 10 ms (due 50 ms later) with <c>WaitForReplicas = 1</c>.
    /// Each round SIGKILLs the master once schedules are being confirmed, waits until another
    /// server is master, restarts the killed one (it comes back as a replica, which the new master
    /// needs before it can confirm anything), and waits for the next confirmed schedule.
    /// </summary>
    private static async Task RunKillRoundsAsync(TestScope scope, Func<RedisServerProcess?> master, Action waitUntilFormed, int rounds = 3)
    {
        static void Durable(RedisSchedulerOptions o)
        {
            o.WaitForReplicas = 1;
            o.WaitForReplicasTimeout = TimeSpan.FromMilliseconds(500);
        }

        var probe = new TaskProbe();
        await scope.StartWorkerAsync("A", configure: Durable, probe: probe);
        var scheduler = scope.CreateScheduler(Durable);
        var accepted = new ConcurrentDictionary<int, string>();
        var confirmedAt = new ConcurrentDictionary<int, TimeSpan>();
        var clock = Stopwatch.StartNew();
        var confirmedSignal = new SemaphoreSlim(0);
        var notConfirmed = 0;
        var unexpected = new ConcurrentQueue<Exception>();
        var failed = 0;
        var lastAccepted = -1;
        using var stop = new CancellationTokenSource();
        var scheduling = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    accepted[i] = await scheduler.ScheduleTaskAsync(TimeSpan.FromMilliseconds(50), new ProbeTask(i), timeout.Token);
                    confirmedAt[i] = clock.Elapsed;
                    Volatile.Write(ref lastAccepted, i);
                    confirmedSignal.Release();
                }
                catch (ReplicationTimeoutException)
                {
                    // Written, not confirmed: the caller was told it may be lost.
                    notConfirmed++;
                }
                catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException or OperationCanceledException)
                {
                    failed++;
                }
                catch (Exception e)
                {
                    unexpected.Enqueue(e);
                }

                await Task.Delay(10);
            }
        });

        // Waits for a schedule confirmed after the one numbered `after`: the event that says the set-up took writes again.
        async Task<TimeSpan> ConfirmedAfterAsync(int after, string what)
        {
            var waited = Stopwatch.StartNew();
            while (Volatile.Read(ref lastAccepted) <= after)
            {
                if (!await confirmedSignal.WaitAsync(TimeSpan.FromSeconds(30) - waited.Elapsed))
                {
                    Assert.Fail($"no schedule was confirmed within 30 s {what} (not confirmed: {notConfirmed}, failed: {failed})");
                }
            }

            return waited.Elapsed;
        }

        var resumed = new List<TimeSpan>();
        try
        {
            await ConfirmedAfterAsync(-1, "at first");
            for (var round = 0; round < rounds; round++)
            {
                var killed = master() ?? throw new InvalidOperationException("no master before the kill");
                var mark = Volatile.Read(ref lastAccepted);
                killed.Kill();
                var killedAt = clock.Elapsed;
                TestContext.Out.WriteLine($"kill {round + 1} of port {killed.Port} at {killedAt.TotalSeconds:0.00} s, after #{mark}");
                await Task.Run(() => RedisCli.WaitUntil(() => master() is { } now && now != killed, TimeSpan.FromSeconds(20), () => "no other server became master"));
                killed.Restart();
                await Task.Run(() => waitUntilFormed());
                await ConfirmedAfterAsync(Math.Max(mark, Volatile.Read(ref lastAccepted)), $"after kill {round + 1}");
                resumed.Add(clock.Elapsed - killedAt);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await scheduling;
        }

        // Every confirmed schedule runs; each start is an event to wait on, with one bound for all.
        var deadline = Stopwatch.StartNew();
        List<int> Missing() => [.. accepted.Keys.Except(probe.Handled.Select(h => h.Payload.Number)).Order()];
        while (Missing().Count > 0 && deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            try
            {
                await probe.WaitForAsync(probe.Handled.Count + 1, TimeSpan.FromSeconds(15) - deadline.Elapsed);
            }
            catch (TimeoutException)
            {
                break;
            }
        }

        var handled = probe.Handled;
        var duplicates = handled.Count - handled.Select(h => h.Payload.Number).Distinct().Count();
        TestContext.Out.WriteLine(
            $"{rounds} kills in {clock.Elapsed.TotalSeconds:0.0} s: confirmed {accepted.Count}, written but not confirmed {notConfirmed}, failed {failed}, " +
            $"duplicates {duplicates}, confirmed again {string.Join(", ", resumed.Select(r => $"{r.TotalSeconds:0.0} s"))} after each kill");
        foreach (var n in Missing())
        {
            var info = await scheduler.GetTaskAsync(accepted[n]);
            TestContext.Out.WriteLine($"missing #{n} {accepted[n]} confirmed at {confirmedAt[n].TotalSeconds:0.00} s: {(info is null ? "not in Redis" : info.State + " due " + info.DueAt.ToString("O"))}");
        }

        Assert.That(unexpected.Select(e => e.ToString()), Is.Empty, "a schedule call failed with an exception other than a Redis one");
        Assert.That(Missing(), Is.Empty, "schedules confirmed by WAIT were lost in a failover");
        Assert.That(accepted.Count, Is.GreaterThan(rounds), "schedules were confirmed between the kills");
    }

    /// <summary>How many WAIT calls the scope's server has run (INFO commandstats).</summary>
    private static long WaitCalls(TestScope scope)
    {
        var stats = scope.Primaries()[0].Info("commandstats").SelectMany(g => g).FirstOrDefault(p => p.Key == "cmdstat_wait").Value;
        return stats is null ? 0 : long.Parse(stats.Split(',')[0].Split('=')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
