using System.Text;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisScheduler.Tests.Infrastructure;
using StackExchange.Redis;

namespace RedisScheduler.Tests;

/// <summary>
/// Task data that this library did not write (edited by hand, or by another program) never vanishes:
/// the claim dead-letters it as <c>MalformedRecord</c>, keeps its record, and goes on with the rest.
/// </summary>
public sealed class CorruptedDataTests
{
    private const string Reason = "MalformedRecord";

    // The record written for the id "bad" ("" for none), and where the id is put: the ready list, or due now.
    [TestCase("", "ready", TestName = "Worker_ReadyIdWithoutRecord_IsDeadLetteredAndOthersRun")]
    [TestCase("", "due", TestName = "Worker_DueIdWithoutRecord_IsDeadLetteredAndOthersRun")]
    [TestCase("sx|1|2|{\"number\":9}", "ready", TestName = "Worker_AttemptNotANumber_IsDeadLetteredAndOthersRun")]
    [TestCase("s0", "ready", TestName = "Worker_RecordWithoutSeparators_IsDeadLetteredAndOthersRun")]
    [TestCase("s0|1|{\"number\":9}", "due", TestName = "Worker_RecordMissingAField_IsDeadLetteredAndOthersRun")]
    [TestCase("{\"number\":9}", "ready", TestName = "Worker_BarePayloadAsRecord_IsDeadLetteredAndOthersRun")]
    [TestCase("x0|1|2|{\"number\":9}", "ready", TestName = "Worker_UnknownFlag_IsDeadLetteredAndOthersRun")]
    [TestCase("d0|1|2|{\"number\":9}", "ready", TestName = "Worker_DeadFlagButNotInDeadLetters_IsDeadLetteredAndOthersRun")]
    [TestCase("p0|1|2|{\"number\":9}", "ready", TestName = "Worker_ProcessingFlagButNoLease_IsDeadLetteredAndOthersRun")]
    [TestCase("w0|1|2|{\"number\":9}", "ready", TestName = "Worker_WaitingFlagButNotWaiting_IsDeadLetteredAndOthersRun")]
    [TestCase("s0|99999999999999999999999|2|{\"number\":9}", "ready", TestName = "Worker_TimeOverflowingLong_IsDeadLetteredAndOthersRun")]
    [TestCase("s99999999999|1|2|{\"number\":9}", "ready", TestName = "Worker_AttemptOverflowingInt_IsDeadLetteredAndOthersRun")]
    public async Task Worker_CorruptedTask_IsDeadLetteredAsMalformedRecordAndOthersRun(string record, string placedIn)
    {
        await using var scope = new TestScope();
        var keys = scope.Keys();
        var scheduler = scope.CreateScheduler();
        var before = await scheduler.ScheduleTasksAsync(Enumerable.Range(1, 2).Select(n => (DateTimeOffset.UtcNow, new ProbeTask(n))));
        if (record.Length > 0)
        {
            await scope.Database.HashSetAsync(keys.Tasks, "bad", record);
        }

        if (placedIn == "ready")
        {
            await scope.Database.ListRightPushAsync(keys.Ready, "bad");
        }
        else
        {
            await scope.Database.SortedSetAddAsync(keys.Due, "bad", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        }

        var after = await scheduler.ScheduleTasksAsync(Enumerable.Range(3, 2).Select(n => (DateTimeOffset.UtcNow, new ProbeTask(n))));

        // One claim takes all five: the four good ones run although one of their batch is corrupted.
        var (host, probe) = await scope.StartWorkerAsync("A");
        await probe.WaitForAsync(4, TimeSpan.FromSeconds(20));
        var store = host.Services.GetRequiredService<IDeadLetterStore>();
        var dead = await DeadLetterTests.WaitForAsync(() => store.ListAsync("probe"), l => l.Count > 0);

        Assert.That(probe.Handled.Select(h => h.TaskId), Is.EquivalentTo(before.Concat(after)));
        Assert.That(dead, Has.Count.EqualTo(1));
        await scope.WaitUntilNothingInFlightAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(dead[0].Id, Is.EqualTo("probe/bad"));
            Assert.That(dead[0].Error!.ExceptionType, Is.EqualTo(Reason));
            Assert.That(dead[0].Error!.Message, Does.Contain("edited by hand or written by another program"));
            Assert.That(await scope.Database.ListLengthAsync(keys.Ready), Is.Zero);
            Assert.That(await scope.Database.SortedSetLengthAsync(keys.Due), Is.Zero);
            Assert.That(await scope.Database.SortedSetScoreAsync(keys.DeadLetters, "bad"), Is.Not.Null);
        });
        if (record.Length > 0)
        {
            // Kept for a person to repair: marked dead by its first byte ('d' in place of a flag, or in
            // front of a record that has none), the rest as it was (an attempt claimed meanwhile aside).
            var kept = (string?)await scope.Database.HashGetAsync(keys.Tasks, "bad");
            Assert.That(kept, Does.StartWith("d").And.EndWith(record.Contains('|') ? record[record.IndexOf('|')..] : record));
            Assert.That(dead[0].PayloadJson, Does.EndWith(record[^2..]), "the dead letter shows what was stored");
        }

        // The type keeps working.
        var later = await scheduler.EnqueueTaskAsync(new ProbeTask(5));
        await probe.WaitForAsync(5, TimeSpan.FromSeconds(20));
        Assert.That(probe.Handled.Select(h => h.TaskId), Does.Contain(later));
    }

    [TestCase("s0|1|2|{}", true)]
    [TestCase("p12|1700000000123|1700000000456|{\"a\":\"|\"}", true)]
    [TestCase("d0|1|2|", true)]
    [TestCase("s0|1~00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01~k=v|2|{}", true)]
    [TestCase("sx|1|2|{}", false)]
    [TestCase("s|1|2|{}", false)]
    [TestCase("s0|1|{}", false)]
    [TestCase("s0|1|2", false)]
    [TestCase("0|1|2|{}", false)]
    [TestCase("{}", false)]
    [TestCase("", false)]
    public async Task RecordHead_AgreesWithTaskRecordParse(string record, bool readable)
    {
        await using var scope = new TestScope();

        var head = (RedisResult[])(await scope.Database.ScriptEvaluateAsync(
            Storage.SchedulerScripts.Instance.Prelude + "\nlocal flag, attempt, bar = record_head(ARGV[1])\nreturn { flag or '', attempt or -1, bar or -1 }",
            scope.Keys().All,
            [record]))!;

        Assert.That(Storage.TaskRecord.TryParse(Encoding.UTF8.GetBytes(record), out var parsed), Is.EqualTo(readable));
        Assert.That((string)head[0]!, Is.EqualTo(readable ? record[..1] : ""));
        if (readable)
        {
            Assert.That((int)head[1], Is.EqualTo(parsed.Attempt));
            Assert.That((int)head[2], Is.EqualTo(record.IndexOf('|') + 1), "the 1-based position of the first '|'");
        }
    }

    [Test]
    public async Task Claim_CancelledTasks_AreNotDeadLettered()
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler();
        var scheduled = await scheduler.ScheduleTaskAsync(TimeSpan.FromHours(1), new ProbeTask(1));
        var ready = await scheduler.EnqueueTaskAsync(new ProbeTask(2));
        var kept = await scheduler.EnqueueTaskAsync(new ProbeTask(3));
        await scope.ClaimAsync(wanted: 0); // promotes both enqueued tasks into the ready list

        Assert.That(await scheduler.CancelAsync(scheduled), Is.True);
        Assert.That(await scheduler.CancelAsync(ready), Is.True);
        var claim = await scope.ClaimAsync(wanted: 5);

        Assert.That(claim.Claimed.Select(c => "probe/" + c.LocalId), Is.EqualTo(new[] { kept }));
        Assert.That(await scope.Database.SortedSetLengthAsync(scope.Keys().DeadLetters), Is.Zero, "a cancel leaves no id behind for a claim to find");
    }

    [Test]
    public async Task Claim_StrayCopiesOfTasksThatAreElsewhere_AreDroppedAndTasksUntouched()
    {
        await using var scope = new TestScope();
        var keys = scope.Keys();
        var scheduler = scope.CreateScheduler();
        var runningId = await scheduler.EnqueueTaskAsync(new ProbeTask(1));
        var running = (await scope.ClaimAsync()).Claimed.Single();
        var deadId = await scheduler.EnqueueTaskAsync(new ProbeTask(2));
        await scope.ClaimAsync(leaseMs: 1, maxAttempts: 1);
        await Task.Delay(20);
        await scope.ClaimAsync(wanted: 0, maxAttempts: 1); // the lease ran out on the last attempt: LeaseExpired
        var twice = await scheduler.EnqueueTaskAsync(new ProbeTask(3));
        await scope.ClaimAsync(wanted: 0);
        var twiceLocal = TestScope.Parse(twice).LocalId;

        // Copies of ids whose tasks are held by a worker, dead-lettered, or already in the list.
        await scope.Database.ListRightPushAsync(keys.Ready, [running.LocalId, TestScope.Parse(deadId).LocalId, twiceLocal]);
        var claim = await scope.ClaimAsync(wanted: 5);

        Assert.That(claim.Claimed.Select(c => c.LocalId), Is.EqualTo(new[] { twiceLocal }), "taken once");
        var store = scope.CreateScheduler();
        Assert.Multiple(async () =>
        {
            Assert.That((await store.GetTaskAsync(runningId))!.State, Is.EqualTo(TaskState.Processing));
            Assert.That(await scope.Database.SortedSetScoreAsync(keys.InFlight, running.LeaseMember), Is.Not.Null, "its lease is untouched");
            Assert.That((await store.GetTaskAsync(deadId))!.LastError!.ExceptionType, Is.EqualTo("LeaseExpired"));
            Assert.That(await scope.Database.SortedSetLengthAsync(keys.DeadLetters), Is.EqualTo(1));
            Assert.That(await scope.Database.ListLengthAsync(keys.Ready), Is.Zero);
        });
        Assert.That(await scope.AckAsync(running), Is.True, "the worker holding it still finishes it");
    }

    [Test]
    public async Task Claim_ExpiredLeaseOfCorruptedRecord_IsDeadLetteredAndClaimGoesOn()
    {
        await using var scope = new TestScope();
        var keys = scope.Keys();
        var scheduler = scope.CreateScheduler();
        var id = await scheduler.EnqueueTaskAsync(new ProbeTask(1));
        var local = (await scope.ClaimAsync(leaseMs: 1)).Claimed.Single().LocalId;
        await scope.Database.HashSetAsync(keys.Tasks, local, "garbage");
        var other = await scheduler.EnqueueTaskAsync(new ProbeTask(2));
        await Task.Delay(20);

        var claim = await scope.ClaimAsync(wanted: 5);

        Assert.That(claim.Claimed.Select(c => "probe/" + c.LocalId), Is.EqualTo(new[] { other }));
        Assert.That((await scheduler.GetTaskAsync(id))!.LastError!.ExceptionType, Is.EqualTo(Reason));
    }

    [Test]
    public async Task DeadLetterStore_MalformedLetters_ListRefuseRequeueUntilRepairedAndDelete()
    {
        await using var scope = new TestScope();
        var keys = scope.Keys();
        var scheduler = scope.CreateScheduler();
        var good = await scheduler.EnqueueTaskAsync(new ProbeTask(1));
        await scope.Database.HashSetAsync(keys.Tasks, "bad", "s0");
        await scope.Database.ListRightPushAsync(keys.Ready, ["bad", "gone"]);
        await scope.ClaimAsync(wanted: 5, leaseMs: 1, maxAttempts: 1);
        await Task.Delay(20);
        await scope.ClaimAsync(wanted: 0, maxAttempts: 1); // the good one: LeaseExpired
        await using var provider = new ServiceCollection().AddRedisScheduler(scope.Configure).Services.BuildServiceProvider();
        var store = provider.GetRequiredService<IDeadLetterStore>();

        var letters = await store.ListAsync("probe");

        Assert.That(letters.Select(l => (l.Id, l.Error!.ExceptionType)), Is.EquivalentTo(new[] { ("probe/bad", Reason), ("probe/gone", Reason), (good, "LeaseExpired") }));
        var missing = letters.Single(l => l.Id == "probe/gone");
        Assert.Multiple(() =>
        {
            Assert.That(missing.PayloadJson, Is.Empty);
            Assert.That(missing.Attempt, Is.Zero);
            Assert.That(missing.DueAt, Is.EqualTo(missing.DeadLetteredAt));
            Assert.That(letters.Single(l => l.Id == "probe/bad").PayloadJson, Is.EqualTo("ds0"));
        });
        var refused = Assert.ThrowsAsync<InvalidOperationException>(() => store.RequeueAsync("probe/bad"));
        Assert.That(refused!.Message, Does.Contain("probe/bad").And.Contain(Reason));
        Assert.That(await store.RequeueAllAsync("probe"), Is.EqualTo(1), "only the readable letter");
        Assert.That((await store.ListAsync("probe")).Select(l => l.Id), Is.EquivalentTo(new[] { "probe/bad", "probe/gone" }), "the others are kept");

        // Repaired by hand, it requeues; without a record, it can only be deleted.
        await scope.Database.HashSetAsync(keys.Tasks, "bad", "d0|1|2|{\"number\":9}");
        Assert.That(await store.RequeueAsync("probe/bad"), Is.True);
        Assert.That(await store.DeleteAsync("probe/gone"), Is.True);
        Assert.That(await store.ListAsync("probe"), Is.Empty);
        Assert.That(await scope.Database.HashExistsAsync(keys.Errors, "gone"), Is.False);
        var claim = await scope.ClaimAsync(wanted: 5);
        Assert.That(claim.Claimed.Select(c => c.LocalId), Is.EquivalentTo(new[] { "bad", TestScope.Parse(good).LocalId }));
    }
}
