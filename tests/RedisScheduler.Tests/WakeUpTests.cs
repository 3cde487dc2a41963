using NUnit.Framework;
using RedisScheduler.Storage;
using RedisScheduler.Tests.Infrastructure;
using StackExchange.Redis;

namespace RedisScheduler.Tests;

/// <summary>
/// Wake-ups on one server and on the cluster: plain pub/sub on one, sharded pub/sub (SPUBLISH/SSUBSCRIBE)
/// on the other, and in both cases a sleeping worker woken by each task that becomes the earliest.
/// </summary>
[TestFixtureSource(typeof(RedisTarget), nameof(RedisTarget.Names))]
public sealed class WakeUpTests(string redis)
{
    // Far longer than any lateness below: a task runs on time only if a wake-up reached the worker.
    private static readonly TimeSpan NoPolling = TimeSpan.FromMinutes(1);

    [Test]
    public async Task Worker_Running_SubscribesToItsWakeChannel_ShardedOnTheCluster()
    {
        await using var scope = new TestScope(redis);
        await scope.StartWorkerAsync("A");
        var channel = scope.Keys().WakeChannel;
        var server = scope.ServerOf(scope.Keys().Due);

        // The subscription is made on the worker's first claim, just after it starts.
        var sharded = await SubscribersAsync(server, "SHARDNUMSUB", channel);
        var plain = await SubscribersAsync(server, "NUMSUB", channel);
        for (var waited = 0; sharded + plain == 0 && waited < 100; waited++)
        {
            await Task.Delay(50);
            (sharded, plain) = (await SubscribersAsync(server, "SHARDNUMSUB", channel), await SubscribersAsync(server, "NUMSUB", channel));
        }

        Assert.That((sharded, plain), Is.EqualTo(scope.Target.IsCluster ? (1L, 0L) : (0L, 1L)), "(sharded, plain) subscribers of the wake channel on the type's primary");
    }

    [Test]
    public async Task WakeUps_TasksScheduledWhileTwoWorkersSleep_RunWithinASecondAndReportLateness()
    {
        await using var scope = new TestScope(redis);
        var probe = new TaskProbe();
        await scope.StartWorkerAsync("A", probe: probe, configure: o => o.MaxIdleDelay = NoPolling);
        await scope.StartWorkerAsync("B", probe: probe, configure: o => o.MaxIdleDelay = NoPolling);
        var scheduler = scope.CreateScheduler();
        await Task.Delay(300); // both workers asleep with nothing pending

        // Each task is due 50 ms after it is scheduled and 100 ms after the one before, so each is the
        // earliest when scheduled: only its wake-up can make a worker run it on time.
        const int count = 60;
        for (var i = 0; i < count; i++)
        {
            await scheduler.ScheduleTaskAsync(TimeSpan.FromMilliseconds(50), new ProbeTask(i));
            await Task.Delay(100);
        }

        await probe.WaitForAsync(count, TimeSpan.FromSeconds(30));
        var lateness = probe.Handled.Select(h => (h.StartedAt - h.DueAt).TotalMilliseconds).Order().ToArray();
        double At(double quantile) => lateness[(int)Math.Ceiling(quantile * lateness.Length) - 1];
        TestContext.Out.WriteLine($"lateness on {redis}: p50 {At(0.50):0.0} ms, p99 {At(0.99):0.0} ms, max {lateness[^1]:0.0} ms over {count} tasks");

        Assert.That(lateness[0], Is.GreaterThanOrEqualTo(0), "never early");
        Assert.That(lateness[^1], Is.LessThan(1000), "every task woken by its wake-up, none left to the one-minute fallback");
    }

    private static async Task<long> SubscribersAsync(IServer server, string subcommand, string channel)
        => (long)((RedisResult[])(await server.ExecuteAsync("PUBSUB", subcommand, channel))!)[1];
}
