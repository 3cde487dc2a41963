using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisScheduler.Storage;
using RedisScheduler.Tests.Infrastructure;
using StackExchange.Redis;

namespace RedisScheduler.Tests;

[TestFixtureSource(typeof(RedisTarget), nameof(RedisTarget.Names))]
public sealed class DeadLetterTests(string redis)
{
    private static void FastRetries(RedisSchedulerOptions o)
    {
        o.Retry.MaxAttempts = 3;
        o.Retry.InitialDelay = TimeSpan.FromMilliseconds(50);
        o.Retry.JitterFactor = 0;
    }

    [Test]
    public async Task Handler_FailsEveryAttempt_IsDeadLetteredAfterMaxAttemptsWithReason()
    {
        await using var scope = new TestScope(redis);
        var (host, probe) = await scope.StartWorkerAsync("A", configure: FastRetries);
        var scheduler = scope.CreateScheduler();
        var id = await scheduler.EnqueueTaskAsync(new ProbeTask(1, ProbeBehavior.AlwaysFail));

        var dead = await WaitForDeadLetterAsync(host, id);

        Assert.That(probe.Handled.Select(h => h.Attempt), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.Multiple(() =>
        {
            Assert.That(dead.Attempt, Is.EqualTo(3));
            Assert.That(dead.Error!.ExceptionType, Is.EqualTo(typeof(InvalidOperationException).FullName));
            Assert.That(dead.Error.Message, Is.EqualTo("Attempt 3 fails on purpose."));
            Assert.That(dead.Error.StackTrace, Does.Contain(nameof(ProbeHandler)));
            Assert.That(dead.PayloadJson, Does.Contain("\"number\":1"));
        });
        var task = await scheduler.GetTaskAsync(id);
        Assert.That(task!.State, Is.EqualTo(TaskState.DeadLettered));
        Assert.That(task.LastError!.Message, Is.EqualTo("Attempt 3 fails on purpose."));
    }

    [Test]
    public async Task Handler_FailedOnce_KeepsLastErrorOnTaskUntilItSucceeds()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var id = await scheduler.EnqueueTaskAsync(new ProbeTask(1, ProbeBehavior.FailWhileSwitchOn));
        var (_, probe) = await scope.StartWorkerAsync("A", configure: o => o.Retry.InitialDelay = TimeSpan.FromMinutes(1));
        await probe.WaitForAsync(1, TimeSpan.FromSeconds(20));

        // Waiting for its retry: in the schedule, reported as Failed.
        var waiting = await WaitForAsync(() => scheduler.GetTaskAsync(id), t => t?.State == TaskState.Failed);

        Assert.That(waiting!.LastError!.Message, Is.EqualTo("The switch is on."));
        Assert.That(waiting.Attempt, Is.EqualTo(1));
    }

    [Test]
    public async Task Handler_PermanentFailure_IsDeadLetteredAtOnce()
    {
        await using var scope = new TestScope(redis);
        var (host, probe) = await scope.StartWorkerAsync("A");
        var id = await scope.CreateScheduler().EnqueueTaskAsync(new ProbeTask(1, ProbeBehavior.FailPermanently));

        var dead = await WaitForDeadLetterAsync(host, id);

        Assert.That(probe.Handled, Has.Count.EqualTo(1));
        Assert.That(dead.Error!.ExceptionType, Is.EqualTo(typeof(PermanentTaskFailureException).FullName));
    }

    [Test]
    public async Task Worker_PoisonPayload_IsDeadLetteredAtOnceAndWorkerGoesOn()
    {
        await using var scope = new TestScope(redis);
        var (host, probe) = await scope.StartWorkerAsync("A");
        var scheduler = scope.CreateScheduler();
        // Same task type, incompatible shape: "number" is not an int any more.
        var poison = await scheduler.EnqueueTaskAsync(new IncompatibleProbe("not a number"));
        var healthy = await scheduler.ScheduleTaskAsync(TimeSpan.FromMilliseconds(100), new ProbeTask(2));

        var dead = await WaitForDeadLetterAsync(host, poison);
        await probe.WaitForAsync(1, TimeSpan.FromSeconds(20));

        Assert.That(dead.Attempt, Is.EqualTo(1), "not retried");
        Assert.That(dead.Error!.Message, Does.Contain("cannot be read as ProbeTask"));
        Assert.That(probe.Handled.Select(h => h.TaskId), Is.EqualTo(new[] { healthy }), "the handler never saw the poison, and the next task still ran");
    }

    [Test]
    public async Task DeadLetters_RequeueDeleteAndRequeueAll_DoWhatTheySay()
    {
        await using var scope = new TestScope(redis);
        var (host, probe) = await scope.StartWorkerAsync("A", configure: o => o.Retry.MaxAttempts = 1);
        var scheduler = scope.CreateScheduler();
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(await scheduler.EnqueueTaskAsync(new ProbeTask(i, ProbeBehavior.FailWhileSwitchOn)));
        }

        var store = host.Services.GetRequiredService<IDeadLetterStore>();
        foreach (var id in ids)
        {
            await WaitForDeadLetterAsync(host, id);
        }

        probe.FailSwitch = false;
        Assert.That(await store.DeleteAsync(ids[0]), Is.True);
        Assert.That(await store.DeleteAsync(ids[0]), Is.False);
        Assert.That(await store.RequeueAsync(ids[1]), Is.True);
        await probe.WaitForAsync(5, TimeSpan.FromSeconds(20));
        Assert.That(await store.RequeueAllAsync("probe"), Is.EqualTo(2));
        await probe.WaitForAsync(7, TimeSpan.FromSeconds(20));
        await scope.WaitUntilNothingInFlightAsync();

        Assert.That(await store.ListAsync("probe"), Is.Empty);
        Assert.That(await scheduler.GetTaskAsync(ids[0]), Is.Null, "deleted for good");
        Assert.That(probe.Handled.Skip(4).Select(h => (h.TaskId, h.Attempt)), Is.EquivalentTo(new[] { (ids[1], 1), (ids[2], 1), (ids[3], 1) }), "requeued with fresh attempts");
        Assert.That(scope.KeysWritten().Select(k => k.ToString()), Is.EquivalentTo(new[] { scope.Keys().Sequence.ToString(), scope.Keys().Succeeded.ToString() }), "nothing left behind, errors included");
    }

    [Test]
    public async Task Claim_LeaseExpiresOnLastAttempt_DeadLettersAsLeaseExpired()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var id = await scheduler.EnqueueTaskAsync(new ProbeTask(1));
        await scope.ClaimAsync(leaseMs: 100, maxAttempts: 1);

        var task = await WaitForAsync(
            async () =>
            {
                await scope.ClaimAsync(leaseMs: 100, maxAttempts: 1);
                return await scheduler.GetTaskAsync(id);
            },
            t => t?.State == TaskState.DeadLettered);

        Assert.That(task!.LastError!.ExceptionType, Is.EqualTo("LeaseExpired"));
        Assert.That(await scope.Database.SortedSetLengthAsync(scope.Keys().InFlight), Is.Zero);
    }

    [Test]
    public async Task Renewal_LeaseTakenAway_CancelsTheHandler()
    {
        await using var scope = new TestScope(redis);
        var (_, probe) = await scope.StartWorkerAsync("A", configure: o => o.LeaseDuration = TimeSpan.FromSeconds(1));
        var id = await scope.CreateScheduler().EnqueueTaskAsync(new ProbeTask(1, ProbeBehavior.WaitUntilCancelled));
        await probe.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // What a reclaim by another worker does: the delivery leaves in-flight.
        var member = (await scope.Database.SortedSetRangeByRankAsync(scope.Keys().InFlight)).Single();
        await scope.Database.SortedSetRemoveAsync(scope.Keys().InFlight, member);

        await probe.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(await scope.Database.HashExistsAsync(scope.Keys().Tasks, TestScope.Parse(id).LocalId), Is.True, "the zombie did not finish or remove the task");
    }

    [Test]
    public async Task StopAsync_HandlerOverrunsShutdownTimeout_TaskIsHandedBack()
    {
        await using var scope = new TestScope(redis);
        var (host, probe) = await scope.StartWorkerAsync("A", configure: o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(300));
        var scheduler = scope.CreateScheduler();
        var id = await scheduler.EnqueueTaskAsync(new ProbeTask(1, ProbeBehavior.IgnoreCancellation));
        await probe.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That((await scheduler.GetTaskAsync(id))!.State, Is.EqualTo(TaskState.Ready));
        probe.Release.SetResult();
    }

    [Test]
    public async Task StopAsync_HandlerUsingItsShutdownTime_KeepsItsLeaseRenewedAndFinishes()
    {
        await using var scope = new TestScope(redis);
        var (host, probe) = await scope.StartWorkerAsync("A", configure: o =>
        {
            o.LeaseDuration = TimeSpan.FromSeconds(1);
            o.ShutdownTimeout = TimeSpan.FromSeconds(20);
        });
        var scheduler = scope.CreateScheduler();
        var id = await scheduler.EnqueueTaskAsync(new ProbeTask(1, ProbeBehavior.IgnoreCancellation));
        await probe.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var stopping = host.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // two and a half leases: only renewal can keep the task
        var leaseExpiry = (await scope.Database.SortedSetRangeByRankWithScoresAsync(scope.Keys().InFlight)).Single().Score;
        probe.Release.SetResult();
        await stopping.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(leaseExpiry, Is.GreaterThan(DateTimeOffset.UtcNow.AddSeconds(-0.5).ToUnixTimeMilliseconds()), "the lease was still being renewed while stopping");
        Assert.That(await scheduler.GetTaskAsync(id), Is.Null, "the handler's success was acknowledged, not handed back");
        Assert.That(probe.Handled, Has.Count.EqualTo(1));
    }

    private static async Task<DeadLetter> WaitForDeadLetterAsync(Microsoft.Extensions.Hosting.IHost host, string id)
    {
        var store = host.Services.GetRequiredService<IDeadLetterStore>();
        var letters = await WaitForAsync(() => store.ListAsync("probe"), l => l.Any(d => d.Id == id));
        return letters.Single(d => d.Id == id);
    }

    /// <summary>Reads until the condition holds; what is awaited here is other processes' work in Redis, bounded.</summary>
    internal static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var value = await read();
            if (condition(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The state was not reached within 20 s.");
            }

            await Task.Delay(25);
        }
    }

    [TaskType("probe")]
    public sealed record IncompatibleProbe(string Number);
}
