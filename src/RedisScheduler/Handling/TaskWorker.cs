using Microsoft.Extensions.Logging;
using RedisScheduler.Common;
using RedisScheduler.Continuations;
using RedisScheduler.Storage;

namespace RedisScheduler.Handling;

/// <summary>
/// The fetch loop behind one <see cref="TaskHandler{T}"/>. A task's path reads one way through its
/// collaborators (see <see cref="WorkerParts"/>): free <see cref="ConcurrencySlots"/> → a
/// <see cref="TaskClaimer"/> round (claim.lua) → the <see cref="HandlerRunQueue"/> → the
/// <see cref="TaskRunner"/> → the <see cref="OutcomeReporter"/> (ack.lua through the
/// <see cref="AckBatcher"/>, or retry, dead, release). When a claim finds nothing the worker sleeps
/// (<see cref="IdleWait"/>) until the next due time by the server's clock, woken early by the
/// type's wake channel. No blocking Redis command is used, so the shared multiplexer is never held up.
/// </summary>
internal sealed class TaskWorker(
    TaskTypeKeys keys,
    TaskHandlerOptions handler,
    RedisSchedulerOptions options,
    RedisConnection connection,
    OutboxPump outbox,
    ITaskHandlerInvoker invoker,
    TimeProvider time,
    ILogger logger,
    WorkerPulse? pulse = null,
    int partitions = 1)
{
    private static readonly TimeSpan FirstClaimRetryDelay = TimeSpan.FromMilliseconds(100);
    // 1 s, not more: a failover (Sentinel, or a cluster replica taking over a slot) typically completes in
    // a few seconds, and a longer cap made workers resume up to the cap after it had ended. A failing
    // claim per worker per second while Redis is down costs nothing worth saving.
    internal static readonly TimeSpan MaxClaimRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>Wires up the collaborators of one run; tests use it to drive a worker step by step.</summary>
    public WorkerParts CreateParts(CancellationToken stoppingToken) => new(keys, handler, options, connection, outbox, invoker, time, logger, stoppingToken);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        using var parts = CreateParts(stoppingToken);
        // Further partitions of a partitioned type (or of one that was, until every task is gone) share
        // partition 0's slots and wake-up signal; each renews its own leases and delivers its own outbox.
        var all = new WorkerPartitions(
            parts,
            keys,
            partitions,
            partition => new WorkerParts(partition, handler, options, connection, outbox.For(partition), invoker, time, logger, stoppingToken, parts),
            logger);
        Log.WorkerStarted(logger, keys.TaskType, handler.Concurrency);
        pulse?.Started(all);
        // Leases are renewed until the last handler is finished or handed back, not only until
        // stopping begins: a handler given ShutdownTimeout to finish must keep its task meanwhile.
        using var renewalStop = new CancellationTokenSource();
        using var stopHandlers = stoppingToken.Register(static all => ((WorkerPartitions)all!).StopAll(), all);
        var renewal = parts.Renewer.RunAsync(renewalStop.Token);
        var outboxRecovery = outbox.DeliverPeriodicallyAsync(time, renewalStop.Token);
        Func<WorkerParts, IEnumerable<Task>> startBackground = further =>
            [further.Renewer.RunAsync(renewalStop.Token), further.Outbox.DeliverPeriodicallyAsync(time, renewalStop.Token)];
        // Under a backlog one claim stays on its way while the next one's slots are gathered, so the
        // worker does not sit idle for each claim's round trip; otherwise each claim is awaited.
        Task<ClaimRound>? ahead = null;
        try
        {
            var backoff = new Backoff(FirstClaimRetryDelay, MaxClaimRetryDelay);
            // The last topology change the claims have acted on: a newer one ends a back-off (see TopologyChanges).
            var seen = connection.Topology.Generation;
            var backlog = false;
            while (!stoppingToken.IsCancellationRequested)
            {
                // For the liveness check: one timestamp per cycle (an idle cycle sleeps up to MaxIdleDelay).
                pulse?.Cycle();
                var (round, sent) = await StartRoundAsync(all, startBackground, backlog, stoppingToken).ConfigureAwait(false);
                backlog &= sent;

                if (backlog && ahead is null)
                {
                    ahead = round;
                    continue;
                }

                if (ahead is not null)
                {
                    var earlier = await ahead.ConfigureAwait(false);
                    // The newer claim is the one on its way now, also while a failure backs off: a stop
                    // during the backoff must still await it before draining. One that could not even
                    // be sent (already completed) is not kept on its way.
                    ahead = round;
                    if (!await AfterClaimAsync(earlier).ConfigureAwait(false) && backlog && !round.IsCompleted)
                    {
                        continue;
                    }
                }

                ahead = null;
                var outcome = await round.ConfigureAwait(false);
                if (!await AfterClaimAsync(outcome).ConfigureAwait(false) && outcome.Claimed == 0 && outcome.IdleDelay > TimeSpan.Zero)
                {
                    await parts.IdleWait.SleepAsync(outcome.IdleDelay, stoppingToken).ConfigureAwait(false);
                }
            }

            // Backs off after a failed claim, until the client learns of a topology change at the latest;
            // otherwise notes whether the ready list may hold more. Returns whether it backed off.
            async Task<bool> AfterClaimAsync(ClaimRound done)
            {
                if (done.Failure is { } failure)
                {
                    backlog = false;
                    var delay = backoff.Next();
                    Log.RedisCallFailed(logger, failure, keys.TaskType, delay);
                    if (await connection.Topology.DelayAsync(delay, seen, time, stoppingToken).ConfigureAwait(false))
                    {
                        seen = connection.Topology.Generation;
                        Log.RetryAfterTopologyChange(logger, "claims", keys.TaskType, delay);
                    }

                    return true;
                }

                backoff.Reset();
                seen = connection.Topology.Generation;
                // A full claim means the ready list may hold more; a short one means it ran dry, and
                // the next claim goes as soon as a single slot is free (lowest lateness).
                backlog = done.TookAll;
                return false;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
        finally
        {
            if (ahead is not null)
            {
                // Its tasks are running now or its slots are back: either way DrainAsync accounts for them.
                await ahead.ConfigureAwait(false);
            }

            await DrainAsync(all).ConfigureAwait(false);
            await renewalStop.CancelAsync().ConfigureAwait(false);
            await all.StopAsync().ConfigureAwait(false);
            await renewal.ConfigureAwait(false);
            await outboxRecovery.ConfigureAwait(false);
            pulse?.Stopped();
            Log.WorkerStopped(logger, keys.TaskType);
        }
    }

    /// <summary>Takes free slots and starts a claim round with them; a round that could not even be sent comes back failed, its slots given back.</summary>
    // A ValueTask: taking slots and the connection nearly always completes at once, and a Task per claim would be an allocation the old inline code did not make.
    private async ValueTask<(Task<ClaimRound> Round, bool Sent)> StartRoundAsync(WorkerPartitions all, Func<WorkerParts, IEnumerable<Task>> startBackground, bool backlog, CancellationToken stoppingToken)
    {
        var slots = all.All[0].Slots;
        var wanted = await slots.TakeAsync(backlog, stoppingToken).ConfigureAwait(false);
        try
        {
            // A slot a stopped handler gave back can free the wait above just as the stop begins: a
            // claim sent now would take back the very task that handler has just released.
            stoppingToken.ThrowIfCancellationRequested();
            var database = await connection.GetDatabaseAsync(stoppingToken).ConfigureAwait(false);
            await all.EnsureAsync(database, startBackground).ConfigureAwait(false);
            return (all.StartRound(database, wanted), true);
        }
        catch (Exception e)
        {
            // Any failure gives the slots back, or stopping would wait for them for ever.
            slots.GiveBack(wanted);
            if (e is OperationCanceledException && stoppingToken.IsCancellationRequested)
            {
                throw;
            }

            return (Task.FromResult(ClaimRound.Failed(wanted, e)), false);
        }
    }

    /// <summary>
    /// Waits up to <see cref="RedisSchedulerOptions.ShutdownTimeout"/> for running handlers (each holds a
    /// slot until it returns, or until its failure is reported), then hands back the tasks of
    /// handlers that overran, and waits for the outcomes still on their way to Redis.
    /// </summary>
    private async Task DrainAsync(WorkerPartitions all)
    {
        if (!await all.All[0].Slots.WaitForAllAsync(options.ShutdownTimeout).ConfigureAwait(false))
        {
            // Only handlers still running are handed back; one that has returned is reporting its own outcome.
            await Task.WhenAll(all.All.SelectMany(parts => parts.InFlight.AbandonRunning().Select(run =>
            {
                Log.HandlerOverranShutdown(logger, TaskId.Format(parts.Keys, run.Task.LocalId), options.ShutdownTimeout);
                return parts.Reporter.HandBackAsync(run);
            }))).ConfigureAwait(false);
        }

        // Handlers that returned gave their slot back before their acknowledgement landed; it must
        // land before the worker stops, or the task would run again after its lease.
        foreach (var parts in all.All)
        {
            await parts.Reporter.WaitForReportsAsync().ConfigureAwait(false);
        }
    }
}
