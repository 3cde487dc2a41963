using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using RedisScheduler.Continuations;
using RedisScheduler.Handling;
using RedisScheduler.Storage;
using RedisScheduler.Tests.Infrastructure;
using StackExchange.Redis;

namespace RedisScheduler.Tests;

/// <summary>
/// A worker driven one claim round at a time, without a host: the same collaborators a running
/// worker wires up (<see cref="WorkerParts"/>), against the real Redis of the test run.
/// </summary>
public sealed class WorkerStepTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Test]
    public async Task OneRound_ThreeDueTasks_RunsEachOnceAndAcknowledgesThem()
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler();
        var ids = await Task.WhenAll(Enumerable.Range(1, 3).Select(n => scheduler.EnqueueTaskAsync(new ProbeTask(n))));
        var handler = new RecordingInvoker();
        using var worker = Parts(scope, handler);

        var round = await RunOneRoundAsync(scope, worker);

        Assert.That(round.Claimed, Is.EqualTo(3));
        Assert.That(round.Failure, Is.Null);
        Assert.That(handler.Ran.Order(), Is.EqualTo(ids.Select(id => TestScope.Parse(id).LocalId).Order()));
        foreach (var id in ids)
        {
            // A finished task is gone from the scheduler's view; the succeeded history keeps its id.
            Assert.That(await scheduler.GetTaskAsync(id), Is.Null, id);
            Assert.That(await scope.Database.SortedSetScoreAsync(scope.Keys().Succeeded, TestScope.Parse(id).LocalId), Is.Not.Null, id);
        }

        Assert.That(worker.InFlight.IsEmpty, Is.True);
        Assert.That(await scope.Database.SortedSetLengthAsync(scope.Keys().InFlight), Is.Zero);
    }

    [Test]
    public async Task OneRound_HandlerThrows_TaskIsRescheduledWithItsError()
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler();
        var id = await scheduler.EnqueueTaskAsync(new ProbeTask(1));
        using var worker = Parts(scope, new RecordingInvoker(new InvalidOperationException("the payment service said no")));

        await RunOneRoundAsync(scope, worker);

        var info = (await scheduler.GetTaskAsync(id))!;
        Assert.That(info.State, Is.EqualTo(TaskState.Failed));
        Assert.That(info.LastError?.Message, Is.EqualTo("the payment service said no"));
    }

    [Test]
    public async Task OneRound_PermanentFailure_TaskIsDeadLetteredAtOnce()
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler();
        var id = await scheduler.EnqueueTaskAsync(new ProbeTask(1));
        using var worker = Parts(scope, new RecordingInvoker(new PermanentTaskFailureException("unknown customer")));

        await RunOneRoundAsync(scope, worker);

        Assert.That((await scheduler.GetTaskAsync(id))!.State, Is.EqualTo(TaskState.DeadLettered));
    }

    [Test]
    public async Task OneRound_ClaimedAfterTheStopBegan_GivesTheTasksBackWithoutStartingTheirHandlers()
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler();
        var ids = await Task.WhenAll(Enumerable.Range(1, 2).Select(n => scheduler.EnqueueTaskAsync(new ProbeTask(n))));
        var handler = new RecordingInvoker();
        using var stop = new CancellationTokenSource();
        using var worker = Parts(scope, handler, stopping: stop.Token);
        // The host began to stop while this claim was on its way.
        await stop.CancelAsync();
        worker.InFlight.StopAll();

        var round = await RunOneRoundAsync(scope, worker);

        Assert.That(round.Claimed, Is.EqualTo(2));
        Assert.That(handler.Ran, Is.Empty, "no handler starts on a worker that is stopping");
        foreach (var id in ids)
        {
            var info = (await scheduler.GetTaskAsync(id))!;
            Assert.That(info.State, Is.EqualTo(TaskState.Ready), id);
        }

        Assert.That(await scope.Database.SortedSetLengthAsync(scope.Keys().InFlight), Is.Zero, "released, not left to a lease running out");
    }

    [Test]
    public async Task OneRound_NothingDue_SleepsUntilTheNextDueTime()
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler();
        await scheduler.ScheduleTaskAsync(DateTimeOffset.UtcNow.AddMinutes(10), new ProbeTask(1));
        using var worker = Parts(scope, new RecordingInvoker(), maxIdleDelay: TimeSpan.FromHours(1));

        var round = await RunOneRoundAsync(scope, worker);

        Assert.That(round.Claimed, Is.Zero);
        Assert.That(round.IdleDelay, Is.InRange(TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10)));
    }

    [Test]
    public async Task AckBatch_SendingThrowsUnexpectedly_LaterAcknowledgementsStillComplete()
    {
        await using var scope = new TestScope();
        // A connection that fails in a way OutcomeSender does not retry: the ack batcher must move on.
        using var worker = Parts(scope, new RecordingInvoker(), connection: () => Task.FromException<IConnectionMultiplexer>(new ObjectDisposedException("multiplexer")));
        var record = new TaskRecord(1, 0, 0, ReadOnlyMemory<byte>.Empty);
        var runs = new[] { worker.InFlight.Add(new ClaimedTask("a1", "2", record)), worker.InFlight.Add(new ClaimedTask("a3", "4", record)) };
        await worker.Slots.TakeAsync(backlog: false, CancellationToken.None);

        foreach (var run in runs)
        {
            await worker.Reporter.ReportAsync(run, null, null, stopping: false);
        }

        await worker.Reporter.WaitForReportsAsync().WaitAsync(Patience);
        Assert.That(worker.InFlight.IsEmpty, Is.True, "both tasks were let go of once their acknowledgement was given up on");
    }

    [Test]
    public async Task LeaseRenewer_OnAFakeClock_RenewsAfterAThirdOfALease_AndStopsAHandlerWhoseLeaseWasLost()
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler();
        await scheduler.EnqueueTaskAsync(new ProbeTask(1));
        await scheduler.EnqueueTaskAsync(new ProbeTask(2));
        var claimed = (await scope.ClaimAsync(wanted: 2, leaseMs: 30_000)).Claimed;
        var inFlight = new InFlightTasks();
        var kept = inFlight.Add(claimed[0]);
        var lost = inFlight.Add(claimed[1]);
        // Another worker took the second delivery over: its lease member is gone from in-flight.
        await scope.Database.SortedSetRemoveAsync(scope.Keys().InFlight, lost.Task.LeaseMember);
        var before = (await scope.Database.SortedSetScoreAsync(scope.Keys().InFlight, kept.Task.LeaseMember))!.Value;
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var options = Microsoft.Extensions.Options.Options.Create(new RedisSchedulerOptions { ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(scope.Connection) });
        var renewer = new LeaseRenewer(scope.Keys(), inFlight, new RedisConnection(options), TimeSpan.FromSeconds(60), time, NullLogger.Instance);
        var abandoned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onAbandoned = lost.Token.Register(() => abandoned.TrySetResult());
        using var stop = new CancellationTokenSource();
        var renewing = renewer.RunAsync(stop.Token);

        // A third of the 60 s lease: the fake clock fires the renewal timer; nothing else would.
        time.Advance(TimeSpan.FromSeconds(20));
        await abandoned.Task.WaitAsync(Patience);
        var after = (await scope.Database.SortedSetScoreAsync(scope.Keys().InFlight, kept.Task.LeaseMember))!.Value;
        await stop.CancelAsync();
        await renewing.WaitAsync(Patience);

        Assert.That(lost.IsAbandoned, Is.True, "renew.lua reported the lost lease and the handler's token fired");
        Assert.That(kept.IsAbandoned, Is.False);
        Assert.That(after - before, Is.GreaterThan(30_000 - 1_000), "the kept lease now runs 60 s from the renewal instead of 30 s from the claim");
    }

    [Test]
    public async Task Claim_AfterAFailedOneWhileNoMasterIsConnected_IsNotSentToWaitInTheClientsQueue()
    {
        using var server = RedisServerProcess.Start();
        await using var scope = new TestScope(server);
        using var worker = Parts(scope, new RecordingInvoker());
        Assert.That((await ClaimRoundAsync(scope, worker)).Failure, Is.Null, "connected");
        server.Kill();

        // Sent: fails when the socket closes, or after the client's timeout in its queue.
        Assert.That((await ClaimRoundAsync(scope, worker)).Failure, Is.Not.Null, "the server is down");
        var next = await ClaimRoundAsync(scope, worker);

        Assert.That(next.Failure, Is.InstanceOf<RedisConnectionException>().With.Message.Contains("the claim was not sent"));
        server.Restart();
        var deadline = DateTime.UtcNow + Patience;
        while (!scope.Connection.GetServers().Any(s => s.IsConnected && !s.IsReplica))
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the client reconnected");
            await Task.Delay(50);
        }

        Assert.That((await ClaimRoundAsync(scope, worker)).Failure, Is.Null, "claims are sent again once a master is connected");
    }

    /// <summary>One claim round with every free slot; no task is due, so nothing runs.</summary>
    private static async Task<ClaimRound> ClaimRoundAsync(TestScope scope, WorkerParts worker)
    {
        var wanted = await worker.Slots.TakeAsync(backlog: false, CancellationToken.None);
        return await worker.Claimer.StartRound(scope.Database, wanted).WaitAsync(Patience);
    }

    /// <summary>One claim round with every free slot, then waits until each handler returned and each outcome reached Redis.</summary>
    private static async Task<ClaimRound> RunOneRoundAsync(TestScope scope, WorkerParts worker)
    {
        var wanted = await worker.Slots.TakeAsync(backlog: false, CancellationToken.None);
        var round = await worker.Claimer.StartRound(scope.Database, wanted).WaitAsync(Patience);
        Assert.That(await worker.Slots.WaitForAllAsync(Patience), Is.True, "every handler returned and gave its slot back");
        await worker.Reporter.WaitForReportsAsync().WaitAsync(Patience);
        return round;
    }

    private static WorkerParts Parts(TestScope scope, ITaskHandlerInvoker invoker, TimeSpan? maxIdleDelay = null, Func<Task<IConnectionMultiplexer>>? connection = null, CancellationToken stopping = default)
    {
        var options = new RedisSchedulerOptions { KeyPrefix = scope.Prefix, MaxIdleDelay = maxIdleDelay ?? TimeSpan.FromSeconds(1) };
        options.ConnectionMultiplexerFactory = connection ?? (() => Task.FromResult<IConnectionMultiplexer>(scope.Connection));
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        var redis = new RedisConnection(wrapped);
        var keys = scope.Keys();
        var outbox = new OutboxPump(keys, new ContinuationRelay(new TaskTypeNames(wrapped)), redis, NullLogger.Instance);
        return new WorkerParts(keys, new TaskHandlerOptions { Concurrency = 4 }, options, redis, outbox, invoker, TimeProvider.System, NullLogger.Instance, stopping);
    }

    /// <summary>A handler that notes each task it ran and then succeeds, or throws the given failure.</summary>
    private sealed class RecordingInvoker(Exception? failure = null) : ITaskHandlerInvoker
    {
        public ConcurrentQueue<string> Ran { get; } = new();

        public Task<byte[]?> InvokeAsync(ClaimedTask task, CancellationToken cancellationToken)
        {
            Ran.Enqueue(task.LocalId);
            return failure is null ? Task.FromResult<byte[]?>(null) : Task.FromException<byte[]?>(failure);
        }

        public bool IsPermanentFailure(Exception failure) => failure is PermanentTaskFailureException;
    }
}
