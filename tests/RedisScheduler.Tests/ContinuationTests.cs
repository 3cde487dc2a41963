using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using RedisScheduler.Handling;
using RedisScheduler.Storage;
using RedisScheduler.Tests.Infrastructure;

namespace RedisScheduler.Tests;

[TestFixtureSource(typeof(RedisTarget), nameof(RedisTarget.Names))]
public sealed class ContinuationTests(string redis)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Test]
    public async Task Continuation_ParentsOfTwoTypes_RunsOnceAfterTheLastWithTheirResults()
    {
        await using var scope = new TestScope(redis);
        var joins = new JoinProbe();
        var (host, probe) = await StartAsync(scope, joins);
        var scheduler = host.Services.GetRequiredService<ITaskScheduler>();
        var plain = await scheduler.ScheduleTaskAsync(TimeSpan.FromMilliseconds(300), new ProbeTask(1));
        var withResult = await scheduler.ScheduleTaskAsync(TimeSpan.FromMilliseconds(600), new ResultTests.Doubling(21));

        var join = await scheduler.ScheduleContinuationAsync([withResult, plain], new Join("both"));
        Assert.That((await scheduler.GetTaskAsync(join))!.State, Is.EqualTo(TaskState.Waiting));

        var run = await joins.WaitForAsync(join, Patience);
        var doubled = await scheduler.WaitForCompletionAsync(withResult, Patience);
        Assert.That(run.Parents.Select(p => (p.TaskId, p.Outcome, p.ResultJson)), Is.EquivalentTo(new[]
        {
            (plain, TaskOutcome.Succeeded, (string?)null),
            (withResult, TaskOutcome.Succeeded, "42"),
        }));
        Assert.That(run.StartedAt, Is.GreaterThan(probe.Handled.Single().StartedAt));
        Assert.That(doubled.Outcome, Is.EqualTo(TaskOutcome.Succeeded));
        Assert.That((await scheduler.WaitForCompletionAsync(join, Patience)).GetResult<int>(), Is.EqualTo(2), "the join's own result: its parent count");
        Assert.That(joins.Runs.Count(r => r.TaskId == join), Is.EqualTo(1));
    }

    [Test]
    public async Task Continuation_ParentDeadLettered_CancelPolicyNeverRuns_RunAnywayRunsWithTheError()
    {
        await using var scope = new TestScope(redis);
        var joins = new JoinProbe();
        var (host, _) = await StartAsync(scope, joins);
        var scheduler = host.Services.GetRequiredService<ITaskScheduler>();
        var failing = await scheduler.ScheduleTaskAsync(TimeSpan.FromMilliseconds(200), new ProbeTask(1, ProbeBehavior.FailPermanently));
        var fine = await scheduler.ScheduleTaskAsync(TimeSpan.FromMilliseconds(200), new ProbeTask(2));

        var cancelled = await scheduler.ScheduleContinuationAsync([failing, fine], new Join("cancel"));
        var afterCancelled = await scheduler.ScheduleContinuationAsync([cancelled], new Join("after-cancelled"), ParentFailurePolicy.RunAnyway);
        var anyway = await scheduler.ScheduleContinuationAsync([failing, fine], new Join("anyway"), ParentFailurePolicy.RunAnyway);

        var run = await joins.WaitForAsync(anyway, Patience);
        var chained = await joins.WaitForAsync(afterCancelled, Patience);
        Assert.That(run.Parents.Single(p => p.TaskId == failing).Outcome, Is.EqualTo(TaskOutcome.DeadLettered));
        Assert.That(run.Parents.Single(p => p.TaskId == failing).Error!.ExceptionType, Is.EqualTo(typeof(PermanentTaskFailureException).FullName));
        Assert.That(run.Parents.Single(p => p.TaskId == fine).Outcome, Is.EqualTo(TaskOutcome.Succeeded));
        Assert.That(chained.Parents.Single().Outcome, Is.EqualTo(TaskOutcome.Cancelled), "the cancelled continuation's own continuation hears of it");
        Assert.That(joins.Runs.Any(r => r.TaskId == cancelled), Is.False);
        Assert.That(await scheduler.GetTaskAsync(cancelled), Is.Null);
    }

    [Test]
    public async Task Continuation_ParentCancelledByTheCaller_CancelsItsContinuation()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var parent = await scheduler.ScheduleTaskAsync(DateTimeOffset.UtcNow.AddMinutes(10), new ProbeTask(1));
        var child = await scheduler.ScheduleContinuationAsync([parent], new Join("child"));

        Assert.That(await scheduler.CancelAsync(parent), Is.True);

        Assert.That(await scheduler.GetTaskAsync(child), Is.Null, "cancelled as soon as CancelAsync returned");
        Assert.That(scope.KeysWritten().Select(k => (string)k!), Has.None.Contains(":parents:"));
    }

    [Test]
    public async Task Continuation_ParentsFinishingAtOnceOnTwoHosts_EachContinuationRunsExactlyOnce()
    {
        await using var scope = new TestScope(redis);
        var joins = new JoinProbe();
        var (hostA, _) = await StartAsync(scope, joins, "A");
        await StartAsync(scope, joins, "B");
        var scheduler = hostA.Services.GetRequiredService<ITaskScheduler>();
        var due = DateTimeOffset.UtcNow.AddMilliseconds(500);
        var parents = await scheduler.ScheduleTasksAsync(Enumerable.Range(0, 400).Select(i => (due, new ProbeTask(i))));
        var children = new List<string>();
        for (var i = 0; i < parents.Count; i += 2)
        {
            children.Add(await scheduler.ScheduleContinuationAsync([parents[i], parents[i + 1]], new Join("pair")));
        }

        foreach (var child in children)
        {
            await joins.WaitForAsync(child, Patience);
        }

        Assert.That(joins.Runs.GroupBy(r => r.TaskId).Where(g => g.Count() > 1).Select(g => g.Key), Is.Empty, "no continuation ran twice");
        Assert.That(joins.Runs.Select(r => r.Host).Distinct().Count(), Is.EqualTo(2), "both hosts released continuations");
        Assert.That(joins.Runs.All(r => r.Parents.Count == 2 && r.Parents.All(p => p.Outcome == TaskOutcome.Succeeded)), Is.True);
    }

    [Test]
    public async Task Continuation_ParentAlreadySucceeded_RunsAtOnce_UnknownParentIsRefused()
    {
        await using var scope = new TestScope(redis);
        var joins = new JoinProbe();
        var (host, probe) = await StartAsync(scope, joins);
        var scheduler = host.Services.GetRequiredService<ITaskScheduler>();
        var parent = await scheduler.EnqueueTaskAsync(new ProbeTask(1));
        await scheduler.WaitForCompletionAsync(parent, Patience);

        var child = await scheduler.ScheduleContinuationAsync([parent], new Join("late"));
        var run = await joins.WaitForAsync(child, Patience);

        Assert.That(run.Parents.Single().Outcome, Is.EqualTo(TaskOutcome.Succeeded));
        var unknown = Assert.ThrowsAsync<ArgumentException>(() => scheduler.ScheduleContinuationAsync(["probe/c999999"], new Join("never")));
        Assert.That(unknown!.Message, Does.Contain("probe/c999999").And.Contain("SucceededHistoryLimit"));
        Assert.That((await host.Services.GetRequiredService<ITaskMonitor>().GetCountsAsync("join")).Waiting, Is.Zero, "the refused continuation was cancelled");
        Assert.ThrowsAsync<ArgumentException>(() => scheduler.ScheduleContinuationAsync([parent, parent], new Join("twice")));
        Assert.ThrowsAsync<ArgumentException>(() => scheduler.ScheduleContinuationAsync(Array.Empty<string>(), new Join("none")));
    }

    [Test]
    public async Task Continuation_WorkerDiedAfterAckingTheParent_AnotherWorkerDeliversTheOutbox()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var parent = await scheduler.EnqueueTaskAsync(new ProbeTask(1));
        var child = await scheduler.ScheduleContinuationAsync([parent], new Join("recovered"));
        // A worker that acknowledges and dies before delivering its outbox.
        var claimed = (await scope.ClaimAsync()).Claimed.Single();
        Assert.That(await scope.AckAsync(claimed), Is.True);
        Assert.That(await scope.Database.SortedSetLengthAsync(scope.Keys().Outbox), Is.EqualTo(1));
        Assert.That((await scheduler.GetTaskAsync(child))!.State, Is.EqualTo(TaskState.Waiting));

        var joins = new JoinProbe();
        await StartAsync(scope, joins);
        var run = await joins.WaitForAsync(child, Patience);

        Assert.That(run.Parents.Single().TaskId, Is.EqualTo(parent));
        Assert.That(await scope.Database.SortedSetLengthAsync(scope.Keys().Outbox), Is.Zero);
    }

    [Test]
    public async Task Relay_OneContinuationFailsToResolve_TheOthersAreStillDeliveredAndItsEntryStays()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var parentA = await scheduler.EnqueueTaskAsync(new ProbeTask(1));
        var parentB = await scheduler.EnqueueTaskAsync(new ProbeTask(2));
        var broken = await scheduler.ScheduleContinuationAsync([parentA], new Join("broken"));
        var fine = await scheduler.ScheduleContinuationAsync([parentB], new Join("fine"));
        // A continuation whose bookkeeping is gone makes resolve.lua fail.
        await scope.Database.KeyDeleteAsync(scope.Keys("join").ParentsOf(TestScope.Parse(broken).LocalId));
        foreach (var claimed in (await scope.ClaimAsync(wanted: 2)).Claimed)
        {
            await scope.AckAsync(claimed);
        }

        var relay = new Continuations.ContinuationRelay(new Storage.TaskTypeNames(Microsoft.Extensions.Options.Options.Create(new RedisSchedulerOptions { KeyPrefix = scope.Prefix })));
        Assert.ThrowsAsync<StackExchange.Redis.RedisServerException>(() => relay.DeliverAsync(scope.Database, scope.Keys()));

        Assert.That((await scheduler.GetTaskAsync(fine))!.State, Is.EqualTo(TaskState.Ready), "delivered despite the failure beside it");
        Assert.That((await scope.Database.SortedSetRangeByRankAsync(scope.Keys().Outbox)).Select(e => (string)e!), Is.EqualTo(new[] { $"s{broken}|{TestScope.Parse(parentA).LocalId}|" }));
    }

    [Test]
    public async Task Continuation_OnceKeyReusedAndCancelled_IsNotTakenForItsEarlierSuccess()
    {
        await using var scope = new TestScope(redis);
        var (host, _) = await StartAsync(scope, new JoinProbe());
        var scheduler = host.Services.GetRequiredService<ITaskScheduler>();
        var first = await scheduler.ScheduleTaskOnceAsync("order-1", DateTimeOffset.UtcNow, new ProbeTask(1));
        await scheduler.WaitForCompletionAsync(first.TaskId, Patience);
        var again = await scheduler.ScheduleTaskOnceAsync("order-1", DateTimeOffset.UtcNow.AddMinutes(10), new ProbeTask(2));
        Assert.That(await scheduler.CancelAsync(again.TaskId), Is.True);

        Assert.ThrowsAsync<ArgumentException>(() => scheduler.ScheduleContinuationAsync([again.TaskId], new Join("after-cancelled")));
    }

    [Test]
    public async Task Batch_CompletionRunsOnceAfterTheLastTask_WithEveryResultInOrder_AndProgressCounts()
    {
        await using var scope = new TestScope(redis);
        var joins = new JoinProbe();
        var scheduler = scope.CreateScheduler();
        var batch = await scheduler.ScheduleBatchAsync(Enumerable.Range(1, 50).Select(i => new ResultTests.Doubling(i == 7 ? -1 : i)), new Join("sum"));

        var before = await scheduler.GetBatchProgressAsync(batch.BatchId);
        Assert.That(before, Is.EqualTo(new BatchProgress(batch.BatchId, 50, 0, 0)));
        Assert.That(before!.Pending, Is.EqualTo(50));

        var (host, _) = await StartAsync(scope, joins);
        var run = await joins.WaitForAsync(batch.BatchId, Patience);

        Assert.That(run.Parents.Select(p => p.TaskId), Is.EqualTo(batch.TaskIds), "in the order the payloads were given");
        Assert.That(run.Parents.Where(p => p.Outcome == TaskOutcome.Succeeded).Sum(p => p.GetResult<int>()), Is.EqualTo((Enumerable.Range(1, 50).Sum() - 7) * 2));
        Assert.That(run.Parents[6].Outcome, Is.EqualTo(TaskOutcome.DeadLettered), "the failed task is reported, and the completion still runs");
        Assert.That(run.Progress, Is.EqualTo(new BatchProgress(batch.BatchId, 50, 49, 1)));
        Assert.That(run.Progress!.IsCompleted, Is.True);
        await scheduler.WaitForCompletionAsync(batch.BatchId, Patience);
        Assert.That(joins.Runs.Count(r => r.TaskId == batch.BatchId), Is.EqualTo(1));
        Assert.That(await scheduler.GetBatchProgressAsync(batch.BatchId), Is.Null, "its bookkeeping goes with the completion task");
        Assert.ThrowsAsync<ArgumentException>(() => scheduler.ScheduleBatchAsync(Array.Empty<ResultTests.Doubling>(), new Join("empty")));
    }

    [Test]
    public async Task Monitor_ListsWaitingContinuationsAndTheSucceededHistory_NewestFirstAndCapped()
    {
        await using var scope = new TestScope(redis);
        var (host, _) = await StartAsync(scope, new JoinProbe(), configure: o => o.SucceededHistoryLimit = 3);
        var scheduler = host.Services.GetRequiredService<ITaskScheduler>();
        var monitor = host.Services.GetRequiredService<ITaskMonitor>();
        var done = new List<string>();
        for (var i = 1; i <= 40; i++)
        {
            done.Add(await scheduler.EnqueueTaskAsync(new ResultTests.Doubling(i)));
            await scheduler.WaitForCompletionAsync(done[^1], Patience);
        }

        var parent = await scheduler.ScheduleTaskAsync(DateTimeOffset.UtcNow.AddMinutes(10), new ProbeTask(1));
        var waiting = await scheduler.ScheduleContinuationAsync([parent], new Join("waits"));

        var succeeded = await monitor.ListSucceededAsync("doubler", count: 1000);
        // Trimmed in steps (ack.lua): the limit, plus at most the limit again and one call's tasks.
        Assert.That(succeeded, Has.Count.InRange(3, 3 + 16));
        Assert.That(succeeded.Select(s => s.Id), Is.EqualTo(Enumerable.Reverse(done).Take(succeeded.Count)), "newest first");
        Assert.That(succeeded[0].ResultJson, Is.EqualTo("80"));
        Assert.That((await monitor.ListAsync("join", TaskState.Waiting)).Select(t => t.Id), Is.EqualTo(new[] { waiting }));
        Assert.That((await monitor.GetCountsAsync("join")).Waiting, Is.EqualTo(1));
        Assert.That((await monitor.GetCountsAsync("doubler")).Succeeded, Is.EqualTo(succeeded.Count));
    }

    private static async Task<(IHost Host, TaskProbe Probe)> StartAsync(TestScope scope, JoinProbe joins, string name = "A", Action<RedisSchedulerOptions>? configure = null)
    {
        var probe = new TaskProbe();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(probe).AddSingleton(joins).AddSingleton(new WorkerName(name));
        builder.Services.AddRedisScheduler(o =>
        {
            scope.Configure(o);
            o.Retry.MaxAttempts = 1;
            configure?.Invoke(o);
        }).AddTaskHandler<ProbeHandler>().AddTaskHandler<ResultTests.DoublingHandler>().AddTaskHandler<JoinHandler>();
        var host = builder.Build();
        await host.StartAsync();
        scope.Track(host);
        return (host, probe);
    }

    [TaskType("join")]
    public sealed record Join(string Label);

    public sealed record JoinRun(string Host, string TaskId, IReadOnlyList<TaskCompletion> Parents, BatchProgress? Progress, DateTimeOffset StartedAt);

    public sealed class JoinProbe
    {
        private readonly ConcurrentDictionary<string, TaskCompletionSource<JoinRun>> firstRuns = new();

        public ConcurrentQueue<JoinRun> Runs { get; } = new();

        public void Record(JoinRun run)
        {
            Runs.Enqueue(run);
            Completion(run.TaskId).TrySetResult(run);
        }

        public Task<JoinRun> WaitForAsync(string taskId, TimeSpan timeout) => Completion(taskId).Task.WaitAsync(timeout);

        private TaskCompletionSource<JoinRun> Completion(string taskId)
            => firstRuns.GetOrAdd(taskId, _ => new TaskCompletionSource<JoinRun>(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    /// <summary>Records how its parents ended; its result is how many there were.</summary>
    public sealed class JoinHandler(JoinProbe joins, WorkerName name, ITaskScheduler scheduler) : TaskHandler<Join, int>
    {
        protected override async Task<int> HandleAsync(Join payload, TaskContext context, CancellationToken cancellationToken)
        {
            var parents = await context.GetParentsAsync(cancellationToken);
            var progress = await scheduler.GetBatchProgressAsync(context.TaskId, cancellationToken);
            joins.Record(new JoinRun(name.Value, context.TaskId, parents, progress, DateTimeOffset.UtcNow));
            return parents.Count;
        }
    }
}
