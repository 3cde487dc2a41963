using NUnit.Framework;
using RedisScheduler.Tests.Infrastructure;

namespace RedisScheduler.Tests;

[TestFixtureSource(typeof(RedisTarget), nameof(RedisTarget.Names))]
public sealed class LimitTests(string redis)
{
    [Test]
    public async Task GlobalConcurrencyLimit_TwoHostsWithEightSlotsEach_NeverRunMoreThanTheLimit()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        await scheduler.ScheduleTasksAsync(Enumerable.Range(0, 40).Select(i => (DateTimeOffset.UtcNow, new ProbeTask(i, ProbeBehavior.HoldBriefly))));
        var probe = new TaskProbe();

        await scope.StartWorkerAsync("A", concurrency: 8, probe: probe, handler: o => o.GlobalConcurrencyLimit = 3);
        await scope.StartWorkerAsync("B", concurrency: 8, probe: probe, handler: o => o.GlobalConcurrencyLimit = 3);
        await probe.WaitForAsync(40, TimeSpan.FromSeconds(60));

        Assert.That(probe.MaxRunning, Is.EqualTo(3), "the limit was reached and never passed, across both hosts");
    }

    [Test]
    public async Task RateLimit_FortyTasksAtTwentyPerSecond_NeverStartMoreInOneServerSecond()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        await scheduler.ScheduleTasksAsync(Enumerable.Range(0, 40).Select(i => (DateTimeOffset.UtcNow, new ProbeTask(i))));
        var probe = new TaskProbe();

        await scope.StartWorkerAsync("A", concurrency: 16, probe: probe, handler: o => o.RateLimitPerSecond = 20);
        await scope.StartWorkerAsync("B", concurrency: 16, probe: probe, handler: o => o.RateLimitPerSecond = 20);
        await probe.WaitForAsync(40, TimeSpan.FromSeconds(60));

        // The window is the server's second; handler start times are taken a little later, so a
        // start near a boundary may land in the next second: compare per second with that slack.
        var perSecond = probe.Handled.GroupBy(h => h.StartedAt.ToUnixTimeSeconds()).Select(g => g.Count()).ToList();
        // Windows are whole seconds, so 20 may start at the end of one and 20 at the start of the next.
        Assert.That(perSecond, Has.Count.GreaterThanOrEqualTo(2), "40 starts at 20 per second need two seconds");
        Assert.That(perSecond.Max(), Is.LessThanOrEqualTo(21));
    }
}
