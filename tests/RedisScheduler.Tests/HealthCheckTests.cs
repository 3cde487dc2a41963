using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using RedisScheduler.Handling;
using RedisScheduler.HealthChecks;
using RedisScheduler.Registry;
using RedisScheduler.Tests.Infrastructure;
using StackExchange.Redis;

namespace RedisScheduler.Tests;

/// <summary>AddHealthChecks().AddRedisScheduler(): readiness against a real Redis that dies and returns, liveness of the worker loops, Degraded thresholds.</summary>
[NonParallelizable]
public sealed class HealthCheckTests
{
    [Test]
    public async Task Readiness_RedisKilled_Unhealthy_HealthyAgainAfterRestart()
    {
        using var server = RedisServerProcess.Start();
        await using var scope = new TestScope(server);
        var (host, _) = await scope.StartWorkerAsync("A", services: s => s.AddHealthChecks().AddRedisScheduler(o => o.RedisTimeout = TimeSpan.FromSeconds(1)));
        var health = host.Services.GetRequiredService<HealthCheckService>();

        var before = await ReadyAsync(health);
        Assert.That(before.Status, Is.EqualTo(HealthStatus.Healthy), before.Description);
        Assert.That(before.Data, Does.ContainKey("probe.backlog"));

        server.Kill();
        var down = await PollAsync(health, "ready", HealthStatus.Unhealthy, TimeSpan.FromSeconds(10));
        Assert.That(down.Description, Does.Contain("Redis"));

        server.Restart(); // no persistence: the scripts are gone too, and the check loads them again
        await PollAsync(health, "ready", HealthStatus.Healthy, TimeSpan.FromSeconds(30));
        using var direct = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        Assert.That(await direct.GetServer(server.Configuration).ScriptExistsAsync(RedisScheduler.Storage.SchedulerScripts.Instance.Claim.Sha1), Is.True);
    }

    [Test]
    public async Task Liveness_WorkerLoopStuckOnAPausedRedis_Unhealthy_HealthyOnceItCyclesAgain()
    {
        using var server = RedisServerProcess.Start();
        await using var scope = new TestScope(server);
        // A client timeout longer than the pause: the claim call hangs instead of failing, so the loop is stuck in it.
        var (host, _) = await scope.StartWorkerAsync(
            "A",
            configure: o => (o.Configuration, o.MaxIdleDelay) = (server.Configuration + ",asyncTimeout=60000,syncTimeout=60000", TimeSpan.FromMilliseconds(100)),
            services: s => s.AddHealthChecks().AddRedisScheduler(o => o.LivenessTimeout = TimeSpan.FromMilliseconds(500)));
        var health = host.Services.GetRequiredService<HealthCheckService>();
        Assert.That((await LiveAsync(health)).Status, Is.EqualTo(HealthStatus.Healthy));

        await scope.Database.ExecuteAsync("CLIENT", "PAUSE", "4000", "ALL");
        var stuck = await PollAsync(health, "live", HealthStatus.Unhealthy, TimeSpan.FromSeconds(4));
        Assert.That(stuck.Description, Does.Contain("'probe'").And.Contain("has not cycled"));

        await PollAsync(health, "live", HealthStatus.Healthy, TimeSpan.FromSeconds(15));
    }

    [Test]
    public void Liveness_Computation_FollowsTheLastCycle_AllowsIdleSleepAndFullSlots()
    {
        var time = new FakeTimeProvider();
        var workers = new InstanceWorkers(time);
        var pulse = workers.Add("probe", 1);
        var allowed = TimeSpan.FromSeconds(31);
        Assert.That(Evaluate().Status, Is.EqualTo(HealthStatus.Healthy), "not started yet");

        var inFlight = new InFlightTasks();
        pulse.Started(inFlight);
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.That(Evaluate().Status, Is.EqualTo(HealthStatus.Healthy), "within MaxIdleDelay + LivenessTimeout");

        time.Advance(TimeSpan.FromMilliseconds(1));
        var stalled = Evaluate();
        Assert.That(stalled.Status, Is.EqualTo(HealthStatus.Degraded), "the configured failure status");
        Assert.That(stalled.Data["probe.secondsSinceCycle"], Is.EqualTo(31.001));

        pulse.Cycle();
        Assert.That(Evaluate().Status, Is.EqualTo(HealthStatus.Healthy), "a new cycle");

        inFlight.Add(new ClaimedTask("1", "1", default));
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.That(Evaluate().Status, Is.EqualTo(HealthStatus.Healthy), "every slot taken: the loop waits for a handler");

        pulse.Stopped();
        Assert.That(Evaluate().Description, Does.Contain("stopped"));

        HealthCheckResult Evaluate() => RedisSchedulerLivenessCheck.Evaluate(workers.Pulses, allowed, HealthStatus.Degraded);
    }

    [Test]
    public async Task Readiness_LateTaskAndDeadLetters_DegradedPastThresholds_WithDataPerType()
    {
        await using var scope = new TestScope();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRedisScheduler(scope.Configure);
        services.AddHealthChecks().AddRedisScheduler(o =>
        {
            o.TaskTypes.Add("probe");
            o.MaxLateness = TimeSpan.FromMilliseconds(300);
            o.MaxDeadLetters = 0;
        });
        await using var provider = services.BuildServiceProvider();
        var health = provider.GetRequiredService<HealthCheckService>();
        var scheduler = provider.GetRequiredService<ITaskScheduler>();
        Assert.That((await ReadyAsync(health)).Status, Is.EqualTo(HealthStatus.Healthy), "nothing late, no dead letters");

        // Due now, and no worker: it grows late while the check is polled (a past due time is stored as now).
        await scheduler.EnqueueTaskAsync(new ProbeTask(1));
        await scheduler.ScheduleTaskAsync(DateTimeOffset.UtcNow.AddHours(1), new ProbeTask(2));
        var late = await PollAsync(health, "ready", HealthStatus.Degraded, TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(late.Description, Does.Contain("'probe' is").And.Contain("late"));
            Assert.That(late.Data["probe.backlog"], Is.EqualTo(1L), "the task due in an hour is not backlog");
            Assert.That((double)late.Data["probe.oldestLatenessSeconds"], Is.InRange(0.3, 10.0));
            Assert.That(late.Data["probe.deadLetters"], Is.EqualTo(0L));
        });

        // Claimed into the ready list's place and then dead-lettered, as a worker would.
        var claimed = await scope.ClaimAsync();
        var task = claimed.Claimed.Single();
        await RedisScheduler.Storage.SchedulerScripts.EvaluateAsync(scope.Database, RedisScheduler.Storage.SchedulerScripts.Instance.Dead, scope.Keys().All, [task.LocalId, task.Token, "{}", scope.Keys().DoneChannel]);
        var dead = await ReadyAsync(health);

        Assert.That(dead.Status, Is.EqualTo(HealthStatus.Degraded));
        Assert.That(dead.Description, Does.Contain("1 dead letters"));
        Assert.That(dead.Data["probe.backlog"], Is.EqualTo(0L));
    }

    [Test]
    public void AddRedisScheduler_SameNameForBothChecks_IsRejected()
    {
        var services = new ServiceCollection();
        Assert.That(
            () => services.AddHealthChecks().AddRedisScheduler(o => o.LivenessName = o.ReadinessName),
            Throws.ArgumentException.With.Message.Contains("two different"));
    }

    private static async Task<HealthReportEntry> ReadyAsync(HealthCheckService health)
        => (await health.CheckHealthAsync(r => r.Tags.Contains("ready"))).Entries["redis-scheduler-ready"];

    private static async Task<HealthReportEntry> LiveAsync(HealthCheckService health)
        => (await health.CheckHealthAsync(r => r.Tags.Contains("live"))).Entries["redis-scheduler-live"];

    /// <summary>A bounded poll: health is computed on request, there is no event to await.</summary>
    private static async Task<HealthReportEntry> PollAsync(HealthCheckService health, string tag, HealthStatus wanted, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var entry = tag == "ready" ? await ReadyAsync(health) : await LiveAsync(health);
            if (entry.Status == wanted)
            {
                return entry;
            }

            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"{tag} stayed {entry.Status} ({entry.Description}) for {timeout}, expected {wanted}");
            }

            await Task.Delay(100);
        }
    }
}
