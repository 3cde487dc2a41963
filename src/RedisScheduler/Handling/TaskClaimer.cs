using Microsoft.Extensions.Logging;
using RedisScheduler.Diagnostics;
using RedisScheduler.Recurring;
using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Handling;

/// <summary>
/// One claim round of a worker: claim.lua takes up to as many due tasks as the worker has free slots
/// (sweeping old dead letters and results now and then in the same call), due recurring occurrences
/// become tasks, and the tasks taken start on the <see cref="HandlerRunQueue"/>.
/// </summary>
internal sealed class TaskClaimer(
    TaskTypeKeys keys,
    TaskHandlerOptions handler,
    RetryPolicy retry,
    RedisSchedulerOptions options,
    RetentionSweepTimer sweeps,
    RecurringOccurrences occurrences,
    InFlightTasks inFlight,
    ConcurrencySlots slots,
    HandlerRunQueue handlers,
    MasterReachability master,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>
    /// Starts one round with <paramref name="wanted"/> slots already taken. Its outcome completes as
    /// soon as the tasks taken are queued and the slots not used are given back; it never faults (a
    /// failure is returned, with the slots given back).
    /// </summary>
    public Task<ClaimRound> StartRound(IDatabase database, int wanted)
    {
        // Asynchronous continuations: the claim loop goes on elsewhere while the claim's own
        // thread starts the handlers.
        var outcome = new TaskCompletionSource<ClaimRound>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = RoundAsync(database, wanted, outcome);
        return outcome.Task;
    }

    /// <summary>One claim.lua call, with what follows it in Redis: due recurring occurrences become tasks. Nothing is started.</summary>
    public async Task<ClaimedBatch> ClaimAsync(IDatabase database, int wanted)
    {
        var (sweepDead, sweepResults) = sweeps.Due();
        var claim = await ClaimScript.RunAsync(
            database, keys, wanted, options, retry.MaxAttempts, handler.GlobalConcurrencyLimit ?? 0, handler.RateLimitPerSecond ?? 0, sweepDead, sweepResults, time).ConfigureAwait(false);
        if (claim.Occurrences.Count > 0)
        {
            await occurrences.AdvanceAsync(database, claim.Occurrences, claim.NowMs).ConfigureAwait(false);
        }

        return new ClaimedBatch(claim.Claimed, IdleWait.DelayAfter(claim, options.MaxIdleDelay));
    }

    private async Task RoundAsync(IDatabase database, int wanted, TaskCompletionSource<ClaimRound> outcome)
    {
        ClaimedBatch batch;
        try
        {
            // After a failover a claim routed to the dead master sat in the client's queue although the
            // client had found the new master a moment later: a suspect claim checks first.
            var mark = await master.BeforeCallAsync(database.Multiplexer, "claim").ConfigureAwait(false);

            // Forced to yield: whenever the claim completes, what follows runs on a pool thread, never
            // on the claim loop's, so starting handlers below cannot hold up the claims.
            batch = await ClaimAsync(database, wanted).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            master.Succeeded(mark);
        }
        catch (Exception e)
        {
            master.Failed();
            slots.GiveBack(wanted);
            outcome.SetResult(ClaimRound.Failed(wanted, e));
            return;
        }

        var claimed = batch.Tasks;
        var queued = 0;
        try
        {
            slots.GiveBack(wanted - claimed.Count);
            for (; queued < claimed.Count; queued++)
            {
                handlers.Enqueue(inFlight.Add(claimed[queued]));
            }
        }
        catch (Exception e)
        {
            // Only running out of memory gets here. The tasks not queued are not run: their slots
            // come back and their leases run out, so they are handed out again.
            Log.ClaimedTasksNotStarted(logger, e, keys.IdType, claimed.Count - queued);
            for (var i = queued; i < claimed.Count; i++)
            {
                inFlight.Forget(claimed[i]);
            }

            slots.GiveBack(claimed.Count - queued);
        }
        finally
        {
            // Completed whatever happens, or the claim loop (and a stop) would wait for it for ever.
            outcome.SetResult(new ClaimRound(wanted, queued, batch.IdleDelay, null));
        }

        if (queued > 0 && SchedulerMetrics.Consumed.Enabled)
        {
            // Counted per claim, as the messaging conventions count a batch receive: one measurement
            // per claim instead of per task, a measurable part of what a listening SDK costs a worker.
            SchedulerMetrics.Consumed.Add(queued, SchedulerMetrics.Tags(keys.TaskType, RedisSchedulerDiagnostics.ProcessOperation));
        }

        if (queued > 0)
        {
            // This is a pool thread that nothing waits for (see above), so it starts the handlers
            // itself: one hand-over fewer before the first starts. A handler that runs synchronously
            // for long holds up neither the claims nor (see HandlerRunQueue) other handlers.
            handlers.RunHere();
        }
    }
}
