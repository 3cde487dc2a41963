using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisScheduler.Storage;
using RedisScheduler.Tests.Infrastructure;
using StackExchange.Redis;

namespace RedisScheduler.Tests;

/// <summary>AUTH, an ACL user with only the commands the library needs, and key-prefix isolation.</summary>
[NonParallelizable]
public sealed class SecurityTests
{
    /// <summary>
    /// Every command the library sends, directly (TIME, ZCARD, LLEN, HGETALL, ZRANGE for the
    /// monitor, dead-letter requeue and recurring list) or from its Lua scripts, plus the connection
    /// handshake of StackExchange.Redis (+@connection: AUTH, HELLO, CLIENT, ECHO, PING, SELECT).
    /// docs/reliability.md lists the same set; change both together.
    /// </summary>
    internal const string SchedulerAclCommands =
        "-@all +@connection +evalsha +eval +subscribe +unsubscribe +publish +ssubscribe +sunsubscribe +spublish +time " +
        "+hset +hget +hmget +hgetall +hdel +hexists +zadd +zrange +zrem +zscore +zmscore +zcard +rpush +lpush +lpop +llen +lrem +lrange +incrby +incr +decr +pexpire +del +get +set +hincrby +zremrangebyrank +exists +zcount +lindex";

    [Test]
    public async Task Scheduler_WithPassword_SchedulesAndHandles_WithoutPasswordIsRefused()
    {
        using var server = RedisServerProcess.Start("--requirepass", "s3cret");
        await using var scope = new TestScope(server);
        var (_, probe) = await scope.StartWorkerAsync("A");

        var id = await scope.CreateScheduler().EnqueueTaskAsync(new ProbeTask(1));
        await probe.WaitForAsync(1, TimeSpan.FromSeconds(20));

        Assert.That(probe.Handled.Single().TaskId, Is.EqualTo(id));
        var anonymous = scope.CreateScheduler(o => o.Configuration = $"127.0.0.1:{server.Port}");
        Assert.ThrowsAsync(Is.InstanceOf<RedisException>(), () => anonymous.EnqueueTaskAsync(new ProbeTask(2)));
    }

    [Test]
    public async Task Scheduler_AsAclUserWithOnlyItsCommandsAndKeys_DoesEverything()
    {
        const string Prefix = "acl-app";
        // On redis-server's command line every word of the ACL rule is an argument of its own.
        using var server = RedisServerProcess.Start(["--user", .. $"scheduler on >pw resetkeys ~{Prefix}:* resetchannels &{Prefix}:* {SchedulerAclCommands}".Split(' ')]);
        await using var scope = new TestScope(server, prefix: Prefix);
        var asUser = $"127.0.0.1:{server.Port},user=scheduler,password=pw";
        var (host, probe) = await scope.StartWorkerAsync("A", configure: o =>
        {
            o.Configuration = asUser;
            o.Retry.MaxAttempts = 1;
        });
        var scheduler = scope.CreateScheduler(o => o.Configuration = asUser);
        var store = host.Services.GetRequiredService<IDeadLetterStore>();

        var ok = await scheduler.EnqueueTaskAsync(new ProbeTask(1));
        var failing = await scheduler.EnqueueTaskAsync(new ProbeTask(2, ProbeBehavior.FailPermanently));
        var once = await scheduler.ScheduleTaskOnceAsync("k", DateTimeOffset.UtcNow.AddMinutes(1), new ProbeTask(3));
        await scheduler.ScheduleTasksAsync(new[] { (DateTimeOffset.UtcNow.AddMinutes(1), new ProbeTask(4)) });
        await probe.WaitForAsync(2, TimeSpan.FromSeconds(20));

        Assert.That(await scheduler.RescheduleAsync(once.TaskId, DateTimeOffset.UtcNow.AddMinutes(2)), Is.True);
        Assert.That((await scheduler.GetTaskAsync(once.TaskId))!.State, Is.EqualTo(TaskState.Scheduled));
        Assert.That(await scheduler.CancelAsync(once.TaskId), Is.True);
        var letters = await WaitForDeadLettersAsync(store);
        Assert.That(letters.Select(l => l.Id), Is.EqualTo(new[] { failing }));
        Assert.That(await store.RequeueAllAsync("probe"), Is.EqualTo(1));
        var recurring = host.Services.GetRequiredService<IRecurringTaskManager>();
        await recurring.AddOrUpdateAsync("hourly", TimeSpan.FromHours(1), new ProbeTask(6));
        Assert.That(await recurring.ListAsync("probe"), Has.Count.EqualTo(1));
        var counts = await host.Services.GetRequiredService<ITaskMonitor>().GetCountsAsync("probe");
        Assert.That(counts.Scheduled, Is.GreaterThanOrEqualTo(1));
        Assert.That(probe.Handled.Select(h => h.TaskId), Does.Contain(ok));

        // The ACL really restricts: a prefix outside its keys is refused.
        var outside = scope.CreateScheduler(o => { o.Configuration = asUser; o.KeyPrefix = "other-app"; });
        var error = Assert.ThrowsAsync<RedisServerException>(() => outside.EnqueueTaskAsync(new ProbeTask(5)));
        Assert.That(error!.Message, Does.Contain("NOPERM").Or.Contain("permission"));
    }

    [Test]
    public async Task TwoApplicationsWithDifferentPrefixes_NeverSeeEachOthersTasks()
    {
        await using var first = new TestScope();
        await using var second = new TestScope();
        var (_, firstProbe) = await first.StartWorkerAsync("first");
        var (_, secondProbe) = await second.StartWorkerAsync("second");

        var firstIds = await first.CreateScheduler().ScheduleTasksAsync(Enumerable.Range(0, 50).Select(i => (DateTimeOffset.UtcNow, new ProbeTask(i))));
        var secondIds = await second.CreateScheduler().ScheduleTasksAsync(Enumerable.Range(100, 50).Select(i => (DateTimeOffset.UtcNow, new ProbeTask(i))));
        await firstProbe.WaitForAsync(50, TimeSpan.FromSeconds(20));
        await secondProbe.WaitForAsync(50, TimeSpan.FromSeconds(20));

        Assert.Multiple(() =>
        {
            Assert.That(firstProbe.Handled.Select(h => h.Payload.Number), Is.EquivalentTo(Enumerable.Range(0, 50)));
            Assert.That(secondProbe.Handled.Select(h => h.Payload.Number), Is.EquivalentTo(Enumerable.Range(100, 50)));
        });
        // Ids are per prefix, so the same id can name different tasks in the two applications.
        Assert.That(firstIds.Intersect(secondIds), Is.Not.Empty);
    }

    private static async Task<IReadOnlyList<DeadLetter>> WaitForDeadLettersAsync(IDeadLetterStore store)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var letters = await store.ListAsync("probe");
            if (letters.Count > 0 || DateTime.UtcNow > deadline)
            {
                return letters;
            }

            await Task.Delay(25);
        }
    }
}
