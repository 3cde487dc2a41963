using System.Diagnostics;
using NUnit.Framework;
using RedisScheduler.Storage;
using RedisScheduler.Tests.Infrastructure;
using StackExchange.Redis;

namespace RedisScheduler.Tests;

/// <summary>Redis killed and restarted under a running scheduler; each test owns its server.</summary>
[NonParallelizable]
public sealed class OutageTests
{
    /// <summary>
    /// AOF with an fsync before every reply: what a deployment that must not lose an acknowledged
    /// write runs. With "everysec", Redis may hold back its AOF write while a slow fsync is running,
    /// so a SIGKILL can lose the last second (docs/reliability.md).
    /// </summary>
    internal static readonly string[] DurableRedis = ["--appendonly", "yes", "--appendfsync", "always"];

    [Test]
    public async Task ScheduleTaskAsync_RedisDown_FailsWithRedisExceptionInsteadOfHanging()
    {
        using var server = RedisServerProcess.Start();
        await using var scope = new TestScope(server);
        var scheduler = scope.CreateScheduler();
        await scheduler.EnqueueTaskAsync(new ProbeTask(1));
        server.Kill();

        var clock = Stopwatch.StartNew();
        // RedisTimeoutException derives from TimeoutException, not RedisException.
        Assert.ThrowsAsync(Is.InstanceOf<RedisException>().Or.InstanceOf<TimeoutException>(), () => scheduler.EnqueueTaskAsync(new ProbeTask(2)));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(15)), "bounded by the client's timeouts");
    }

    [Test]
    public async Task Scheduler_CreatedWhileRedisDown_WorksOnceRedisIsBack()
    {
        using var server = RedisServerProcess.Start();
        server.Kill();
        await using var scope = new TestScope(server, connect: false);
        var scheduler = scope.CreateScheduler();
        Assert.ThrowsAsync(Is.InstanceOf<RedisException>().Or.InstanceOf<TimeoutException>(), () => scheduler.EnqueueTaskAsync(new ProbeTask(1)));

        server.Restart();
        var id = await RetryAsync(() => scheduler.EnqueueTaskAsync(new ProbeTask(2)), TimeSpan.FromSeconds(30));

        Assert.That(await scheduler.GetTaskAsync(id), Is.Not.Null);
    }

    [Test]
    public async Task Worker_RedisKilledAndRestarted_ResumesAndHandlesNewTasks()
    {
        using var server = RedisServerProcess.Start();
        await using var scope = new TestScope(server);
        var scheduler = scope.CreateScheduler();
        var (_, probe) = await scope.StartWorkerAsync("A");
        await scheduler.EnqueueTaskAsync(new ProbeTask(1));
        await probe.WaitForAsync(1, TimeSpan.FromSeconds(20));

        server.Restart(); // no persistence: the scripts and the subscription are gone too
        var id = await RetryAsync(() => scheduler.EnqueueTaskAsync(new ProbeTask(2)), TimeSpan.FromSeconds(30));
        await probe.WaitForAsync(2, TimeSpan.FromSeconds(30));

        Assert.That(probe.Handled[1].TaskId, Is.EqualTo(id));
    }

    [Test]
    public async Task ScheduledTask_RedisKilledWithAof_IsStillThereAfterRestart()
    {
        using var server = RedisServerProcess.Start(DurableRedis);
        await using var scope = new TestScope(server);
        var scheduler = scope.CreateScheduler();
        var id = await scheduler.ScheduleTaskAsync(DateTimeOffset.UtcNow.AddHours(1), new ProbeTask(1));

        server.Restart(); // SIGKILL, then start again from the same append-only file

        var task = await RetryAsync(() => scheduler.GetTaskAsync(id), TimeSpan.FromSeconds(30));
        Assert.That(task?.State, Is.EqualTo(TaskState.Scheduled));
    }

    [Test]
    public async Task Ack_DuringRedisRestart_IsRetriedSoTaskDoesNotRunTwice()
    {
        using var server = RedisServerProcess.Start(DurableRedis);
        await using var scope = new TestScope(server);
        var scheduler = scope.CreateScheduler();
        var (_, probe) = await scope.StartWorkerAsync("A", configure: o => o.LeaseDuration = TimeSpan.FromSeconds(30));
        var id = await scheduler.EnqueueTaskAsync(new ProbeTask(1, ProbeBehavior.IgnoreCancellation));
        await probe.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        server.Kill();
        probe.Release.SetResult(); // the handler finishes while Redis is down: its ack must wait for Redis
        server.Restart();

        await RetryAsync(
            async () => await scheduler.GetTaskAsync(id) is null ? true : throw new RedisException("not acknowledged yet"),
            TimeSpan.FromSeconds(30));
        Assert.That(probe.Handled, Has.Count.EqualTo(1), "acknowledged once Redis was back, not handed out again");
    }

    /// <summary>Retries while the client reconnects; each failure is a real refused call, bounded in time.</summary>
    private static async Task<T> RetryAsync<T>(Func<Task<T>> call, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (e is RedisException or TimeoutException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
