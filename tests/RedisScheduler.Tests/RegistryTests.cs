using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
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
        await scope.CreateScheduler().EnqueueTaskAsync(new ProbeTask(1, ProbeBehavior.IgnoreCancellation));
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
        });
        Assert.That(await monitor.ListTaskTypesAsync(), Is.EqualTo(new[] { "probe" }));

        probe.Release.SetResult();
        await host.StopAsync();

        Assert.That(await monitor.ListWorkersAsync(), Is.Empty, "deregistered on a graceful stop, without waiting for the timeout");
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
