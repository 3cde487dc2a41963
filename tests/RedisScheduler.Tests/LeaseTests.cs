using NUnit.Framework;
using RedisScheduler.Dispatching;
using RedisScheduler.Storage;
using RedisScheduler.Tests.Infrastructure;
using StackExchange.Redis;

namespace RedisScheduler.Tests;

/// <summary>The claim, lease and fencing scripts, driven directly as a worker would.</summary>
[TestFixtureSource(typeof(RedisTarget), nameof(RedisTarget.Names))]
public sealed class LeaseTests(string redis)
{
    private static SchedulerScripts Scripts => SchedulerScripts.Instance;

    [Test]
    public async Task Claim_DueTask_RecordsItInFlightWithTokenAndAttempt()
    {
        await using var scope = new TestScope(redis);
        var id = await scope.CreateScheduler().EnqueueTaskAsync(new ProbeTask(1));

        var claim = await ClaimAsync(scope, leaseMs: 30_000);

        Assert.That(claim, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That("probe/" + claim!.Value.LocalId, Is.EqualTo(id));
            Assert.That(claim.Value.Record.Attempt, Is.EqualTo(1));
        });
        var score = await scope.Database.SortedSetScoreAsync(scope.Keys().InFlight, LeaseMember.Format(claim!.Value.LocalId, claim.Value.Token));
        Assert.That(score, Is.GreaterThan(claim.Value.NowMs + 29_000));
        Assert.That((await scope.CreateScheduler().GetTaskAsync(id))!.State, Is.EqualTo(TaskState.Processing));
    }

    [Test]
    public async Task Claim_TaskNotYetDue_ReturnsNothingAndNextWakeTime()
    {
        await using var scope = new TestScope(redis);
        var dueAt = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddSeconds(20).ToUnixTimeMilliseconds());
        await scope.CreateScheduler().ScheduleTaskAsync(dueAt, new ProbeTask(1));

        var claim = await scope.ClaimAsync(wanted: 10);

        Assert.That(claim.Claimed, Is.Empty, "no task is handed out before its due time");
        Assert.That(claim.NextWakeMs, Is.EqualTo(dueAt.ToUnixTimeMilliseconds()));
    }

    [Test]
    public async Task Ack_WithWrongToken_IsRefused_WithRightTokenRemovesTask()
    {
        await using var scope = new TestScope(redis);
        await scope.CreateScheduler().EnqueueTaskAsync(new ProbeTask(1));
        var claim = (await ClaimAsync(scope, leaseMs: 30_000))!.Value;

        var stale = await scope.RunScriptAsync(Scripts.Ack, scope.Keys().DoneChannel, 10, 0, 0, 0, claim.LocalId, "999999", "0", "");
        Assert.That(((RedisResult[])stale!).Skip(1).Select(r => (string)r!), Is.EqualTo(new[] { claim.LocalId }), "reported as lost");
        Assert.That(await scope.Database.HashExistsAsync(scope.Keys().Tasks, claim.LocalId), Is.True);

        var ack = await scope.RunScriptAsync(Scripts.Ack, scope.Keys().DoneChannel, 10, 0, 0, 0, claim.LocalId, claim.Token, "0", "");
        Assert.That(((RedisResult[])ack!).Skip(1), Is.Empty);
        Assert.That(scope.KeysWritten().Select(k => k.ToString()), Is.EquivalentTo(new[] { scope.Keys().Sequence.ToString(), scope.Keys().Succeeded.ToString() }), "a finished task leaves nothing but the id counter and the succeeded history");
    }

    [Test]
    public async Task Ack_SeveralTasksInOneCall_RemovesLiveOnesAndReportsLostOnes()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        await scheduler.EnqueueTaskAsync(new ProbeTask(1));
        await scheduler.EnqueueTaskAsync(new ProbeTask(2));
        var first = (await ClaimAsync(scope, leaseMs: 30_000))!.Value;
        var second = (await ClaimAsync(scope, leaseMs: 30_000))!.Value;

        var lost = (RedisResult[])(await scope.RunScriptAsync(Scripts.Ack, scope.Keys().DoneChannel, 10, 0, 0, 0, first.LocalId, first.Token, "0", "", second.LocalId, "1", "0", "", second.LocalId, second.Token, "0", ""))!;

        Assert.That(lost.Skip(1).Select(r => (string)r!), Is.EqualTo(new[] { second.LocalId }), "only the delivery with the stale token is refused");
        Assert.That(scope.KeysWritten().Select(k => k.ToString()), Is.EquivalentTo(new[] { scope.Keys().Sequence.ToString(), scope.Keys().Succeeded.ToString() }));
    }

    [Test]
    public async Task Claim_AfterLeaseExpired_HandsTaskOutAgainAndFencesOldDelivery()
    {
        await using var scope = new TestScope(redis);
        await scope.CreateScheduler().EnqueueTaskAsync(new ProbeTask(1));
        var first = (await ClaimAsync(scope, leaseMs: 200))!.Value;

        Assert.That(await ClaimAsync(scope, leaseMs: 200), Is.Null, "the lease still holds");
        var second = await ClaimWithinAsync(scope, TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(second.LocalId, Is.EqualTo(first.LocalId));
            Assert.That(second.Token, Is.Not.EqualTo(first.Token));
            Assert.That(second.Record.Attempt, Is.EqualTo(2));
            Assert.That(second.NowMs, Is.GreaterThanOrEqualTo(first.NowMs + 200), "not handed out again before the lease ran out");
        });
        Assert.That((RedisResult[])(await scope.RunScriptAsync(Scripts.Ack, scope.Keys().DoneChannel, 10, 0, 0, 0, first.LocalId, first.Token, "0", ""))!, Has.Length.EqualTo(2), "the zombie's ack is refused");
        Assert.That((int)await scope.RunScriptAsync(Scripts.Retry, first.LocalId, first.Token, 0, scope.Keys().WakeChannel, "{}"), Is.Zero, "the zombie's retry is refused");
        Assert.That((RedisResult[])(await scope.RunScriptAsync(Scripts.Ack, scope.Keys().DoneChannel, 10, 0, 0, 0, second.LocalId, second.Token, "1", ""))!, Has.Length.EqualTo(1));
    }

    [Test]
    public async Task Renew_ExtendsLiveLease_ReportsLostOne()
    {
        await using var scope = new TestScope(redis);
        await scope.CreateScheduler().EnqueueTaskAsync(new ProbeTask(1));
        var claim = (await ClaimAsync(scope, leaseMs: 1_000))!.Value;
        var member = LeaseMember.Format(claim.LocalId, claim.Token);

        var lost = (RedisResult[])(await scope.RunScriptAsync(Scripts.Renew, 60_000, member, "x|1"))!;

        Assert.That(lost.Select(r => (string)r!), Is.EqualTo(new[] { "x|1" }));
        Assert.That(await scope.Database.SortedSetScoreAsync(scope.Keys().InFlight, member), Is.GreaterThan(claim.NowMs + 59_000));
    }

    [Test]
    public async Task Release_PutsTaskAtFrontOfReadyList()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var first = await scheduler.EnqueueTaskAsync(new ProbeTask(1));
        var claim = (await ClaimAsync(scope, leaseMs: 30_000))!.Value;
        await scheduler.EnqueueTaskAsync(new ProbeTask(2));
        await DueTaskDispatcher.DispatchAsync(scope.Database, scope.Keys(), 10);

        Assert.That((int)await scope.RunScriptAsync(Scripts.Release, claim.LocalId, claim.Token, scope.Keys().WakeChannel), Is.EqualTo(1));

        var ready = await scope.Database.ListRangeAsync(scope.Keys().Ready);
        Assert.That("probe/" + ready[0], Is.EqualTo(first));
        var task = await scheduler.GetTaskAsync(first);
        Assert.That(task!.State, Is.EqualTo(TaskState.Ready));
        Assert.That(task.Attempt, Is.Zero, "an interrupted attempt is given back, so shutdowns never use up MaxAttempts");
    }

    internal readonly record struct Claim(string LocalId, string Token, TaskRecord Record, long NowMs);

    private static async Task<Claim?> ClaimAsync(TestScope scope, int leaseMs)
    {
        var claim = await scope.ClaimAsync(leaseMs: leaseMs);
        return claim.Claimed is [var task]
            ? new Claim(task.LocalId, task.Token, task.Record, claim.NowMs)
            : null;
    }

    /// <summary>Claims again until the expired lease is reclaimed; the wait is the lease running out, bounded.</summary>
    private static async Task<Claim> ClaimWithinAsync(TestScope scope, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await ClaimAsync(scope, leaseMs: 30_000) is { } claim)
            {
                return claim;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"The task was not handed out again within {timeout}.");
    }
}
