using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RedisScheduler.Continuations;
using RedisScheduler.Scheduling;
using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Handling;

/// <summary>
/// The fetch loop behind one <see cref="TaskHandler{T}"/>: claims due tasks with claim.lua while it
/// has free slots, runs them, and acknowledges, retries, dead-letters or releases each. When idle it
/// sleeps until the next due time or lease expiry (by the server's clock), woken early by the type's
/// wake channel, and never longer than <see cref="RedisSchedulerOptions.MaxIdleDelay"/>. No blocking
/// Redis command is used, so the shared multiplexer is never held up.
/// </summary>
internal sealed class TaskWorker(
    TaskTypeKeys keys,
    TaskHandlerOptions handler,
    RetryPolicy retry,
    RedisSchedulerOptions options,
    RedisConnection connection,
    ILogger logger,
    TimeProvider time,
    OutboxPump outbox,
    Func<ClaimedTask, CancellationToken, Task<byte[]?>> execute,
    Func<Exception, bool> isPermanentFailure)
{
    private static readonly TimeSpan MaxRedisBackoff = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How much of an idle worker's sleep is waited out on the high-resolution clock instead of a
    /// timer: .NET's timers count on the coarse tick count, which moves in steps of 4 ms on a Linux
    /// kernel built with HZ=250, so a timer fires up to that much early or late.
    /// </summary>
    private static readonly TimeSpan FineWait = TimeSpan.FromMilliseconds(5);

    /// <summary>The last part of a sleep, waited out spinning: a thread's sleep overshoots a millisecond by 0.1 to 0.2 ms.</summary>
    private static readonly TimeSpan SpinWaitPart = TimeSpan.FromMilliseconds(1.25);

    /// <summary>The longest a worker with a backlog waits for more free slots before it claims: bounds the idle time of slots with long handlers.</summary>
    private static readonly TimeSpan BacklogGatherTime = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// How many tasks per concurrency slot may wait for their acknowledgement after giving their
    /// slot back: room for a batch in flight and the next one filling, yet a bound on the tasks
    /// that would all run again if acknowledgements stopped landing while claims still succeed.
    /// </summary>
    private const int MaxAcknowledgingWithoutSlotPerSlot = 4;

    /// <summary>How often a worker asks claim.lua to sweep old dead letters and results: rarely enough to cost nothing, often enough to keep memory flat.</summary>
    private static readonly TimeSpan DeadLetterSweepInterval = TimeSpan.FromMinutes(1);

    private readonly int concurrency = handler.Concurrency;
    private readonly ConcurrentDictionary<string, RunningTask> running = new(StringComparer.Ordinal);

    /// <summary>Handlers that have returned and whose outcome is on its way to Redis.</summary>
    private int reporting;

    /// <summary>Tasks that gave their slot back before their acknowledgement landed (see RunOneAsync).</summary>
    private int acknowledgingWithoutSlot;

    /// <summary>Set by a stopping worker; completed when <see cref="reporting"/> drops to zero.</summary>
    private TaskCompletionSource? reported;
    private DateTimeOffset nextSweep = DateTimeOffset.MinValue;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        using var signal = new WakeSignal();
        using var slots = new SemaphoreSlim(concurrency, concurrency);
        var acks = new AckBatcher(keys, options.SucceededHistoryLimit, args => SendAsync(SchedulerScripts.Instance.Ack, args), run => OnAcknowledged(run, slots), outbox.Kick, logger);
        var handlers = new HandlerRunQueue(run => _ = RunOneAsync(run, slots, acks, stoppingToken));
        Action<RedisChannel, RedisValue> onWake = (_, _) => signal.Set();
        var channel = RedisChannel.Literal(keys.WakeChannel);
        ISubscriber? subscriber = null;
        Log.WorkerStarted(logger, keys.TaskType, concurrency);
        // Leases are renewed until the last handler is finished or handed back, not only until
        // stopping begins: a handler given ShutdownTimeout to finish must keep its task meanwhile.
        using var renewalStop = new CancellationTokenSource();
        using var stopHandlers = stoppingToken.Register(static state =>
        {
            foreach (var run in ((ConcurrentDictionary<string, RunningTask>)state!).Values)
            {
                run.Stop();
            }
        }, running);
        var renewal = RenewLeasesAsync(renewalStop.Token);
        var outboxRecovery = DeliverOutboxPeriodicallyAsync(renewalStop.Token);
        // Under a backlog one claim stays on its way while the next one's slots are gathered, so the
        // worker does not sit idle for each claim's round trip; otherwise each claim is awaited.
        Task<ClaimRound>? ahead = null;
        try
        {
            var failures = 0;
            var backlog = false;
            while (!stoppingToken.IsCancellationRequested)
            {
                var wanted = await TakeSlotsAsync(slots, backlog, stoppingToken).ConfigureAwait(false);
                Task<ClaimRound> round;
                try
                {
                    var database = await connection.GetDatabaseAsync(stoppingToken).ConfigureAwait(false);
                    if (subscriber is null)
                    {
                        var candidate = database.Multiplexer.GetSubscriber();
                        await candidate.SubscribeAsync(channel, onWake).ConfigureAwait(false);
                        subscriber = candidate;
                    }

                    round = StartClaimRound(database, wanted, slots, handlers, stoppingToken);
                }
                catch (Exception e)
                {
                    // Any failure gives the slots back, or stopping would wait for them for ever.
                    ReleaseSlots(slots, wanted);
                    if (e is OperationCanceledException && stoppingToken.IsCancellationRequested)
                    {
                        throw;
                    }

                    round = Task.FromResult(new ClaimRound(wanted, 0, TimeSpan.Zero, e));
                    backlog = false;
                }

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
                    await SleepAsync(signal, outcome.IdleDelay, stoppingToken).ConfigureAwait(false);
                }
            }

            // Backs off after a failed claim; otherwise notes whether the ready list may hold more.
            // Returns whether it backed off.
            async Task<bool> AfterClaimAsync(ClaimRound done)
            {
                if (done.Failure is { } failure)
                {
                    backlog = false;
                    var backoff = TimeSpan.FromMilliseconds(Math.Min(100 * Math.Pow(2, failures++), MaxRedisBackoff.TotalMilliseconds));
                    Log.RedisCallFailed(logger, failure, keys.TaskType, backoff);
                    await Task.Delay(backoff, time, stoppingToken).ConfigureAwait(false);
                    return true;
                }

                failures = 0;
                // A full claim means the ready list may hold more; a short one means it ran dry, and
                // the next claim goes as soon as a single slot is free (lowest lateness).
                backlog = done.Claimed == done.Wanted && done.Wanted > 0;
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

            await DrainAsync(slots).ConfigureAwait(false);
            await renewalStop.CancelAsync().ConfigureAwait(false);
            if (subscriber is not null)
            {
                await subscriber.UnsubscribeAsync(channel, onWake).ConfigureAwait(false);
            }

            await renewal.ConfigureAwait(false);
            await outboxRecovery.ConfigureAwait(false);
            Log.WorkerStopped(logger, keys.TaskType);
        }
    }

    /// <summary>
    /// Waits for a free slot and takes every other free one. With a backlog it first gathers up to
    /// half the slots (briefly), so one claim round trip serves many tasks instead of one claim per
    /// task that finishes.
    /// </summary>
    private async Task<int> TakeSlotsAsync(SemaphoreSlim slots, bool backlog, CancellationToken stoppingToken)
    {
        await slots.WaitAsync(stoppingToken).ConfigureAwait(false);
        var wanted = 1;
        if (backlog)
        {
            using var gathering = new CancellationTokenSource(BacklogGatherTime, time);
            try
            {
                while (wanted < (concurrency + 1) / 2)
                {
                    await slots.WaitAsync(gathering.Token).ConfigureAwait(false);
                    wanted++;
                }
            }
            catch (OperationCanceledException)
            {
                // Only the gathering time ran out: claim with the slots gathered so far (a stop is
                // noticed by the claim or the next wait, and the slots are given back).
            }
        }

        while (wanted < concurrency && slots.Wait(0, CancellationToken.None))
        {
            wanted++;
        }

        return wanted;
    }

    /// <summary>
    /// Starts one claim. Its outcome completes as soon as the tasks taken are queued and the slots
    /// not used are given back; it never faults (a failure is returned, with the slots given back).
    /// </summary>
    private Task<ClaimRound> StartClaimRound(IDatabase database, int wanted, SemaphoreSlim slots, HandlerRunQueue handlers, CancellationToken stoppingToken)
    {
        // Asynchronous continuations: the claim loop goes on elsewhere while the claim's own
        // thread starts the handlers.
        var outcome = new TaskCompletionSource<ClaimRound>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = ClaimRoundAsync(database, wanted, slots, handlers, outcome, stoppingToken);
        return outcome.Task;
    }

    private async Task ClaimRoundAsync(IDatabase database, int wanted, SemaphoreSlim slots, HandlerRunQueue handlers, TaskCompletionSource<ClaimRound> outcome, CancellationToken stoppingToken)
    {
        IReadOnlyList<ClaimedTask> claimed;
        TimeSpan idleDelay;
        try
        {
            // Forced to yield: whenever the claim completes, what follows runs on a pool thread, never
            // on the claim loop's, so starting handlers below cannot hold up the claims.
            (claimed, idleDelay) = await ClaimAsync(database, wanted).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        }
        catch (Exception e)
        {
            ReleaseSlots(slots, wanted);
            outcome.SetResult(new ClaimRound(wanted, 0, TimeSpan.Zero, e));
            return;
        }

        var queued = 0;
        try
        {
            ReleaseSlots(slots, wanted - claimed.Count);
            for (; queued < claimed.Count; queued++)
            {
                var run = new RunningTask(claimed[queued]);
                running[run.Task.LeaseMember] = run;
                if (stoppingToken.IsCancellationRequested)
                {
                    // Added after the stop callback ran over `running`: stop it here instead.
                    run.Stop();
                }

                handlers.Enqueue(run);
            }
        }
        catch (Exception e)
        {
            // Only running out of memory gets here. The tasks not queued are not run: their slots
            // come back and their leases run out, so they are handed out again.
            for (var i = queued; i < claimed.Count; i++)
            {
                Log.OutcomeNotReported(logger, e, keys.TaskType, claimed[i].LocalId);
                if (running.TryRemove(claimed[i].LeaseMember, out var run))
                {
                    run.Dispose();
                }
            }

            ReleaseSlots(slots, claimed.Count - queued);
        }
        finally
        {
            // Completed whatever happens, or the claim loop (and a stop) would wait for it for ever.
            outcome.TrySetResult(new ClaimRound(wanted, claimed.Count, idleDelay, null));
        }

        if (queued > 0)
        {
            // This is a pool thread that nothing waits for (see above), so it starts the handlers
            // itself: one hand-over fewer before the first starts. A handler that runs synchronously
            // for long holds up neither the claims nor (see HandlerRunQueue) other handlers.
            handlers.RunHere();
        }
    }

    /// <summary>
    /// Sleeps until the next due time or a wake-up. Timers are coarse (see <see cref="FineWait"/>), so
    /// the timer is set <see cref="FineWait"/> short and the rest is waited out on the high-resolution
    /// clock: in one-millisecond thread sleeps, looking for a wake-up between them, then spinning for
    /// the last <see cref="SpinWaitPart"/>. A task then starts well under a millisecond after it is due,
    /// at the cost of a pool thread held for a few milliseconds per wake-up, about half a millisecond
    /// of CPU, and no extra Redis call.
    /// </summary>
    private async Task SleepAsync(WakeSignal signal, TimeSpan delay, CancellationToken stoppingToken)
    {
        var started = time.GetTimestamp();
        if (delay > FineWait && await signal.WaitAsync(delay - FineWait, time, stoppingToken).ConfigureAwait(false))
        {
            return;
        }

        // The fallback sleep (nothing due) needs no precision.
        if (delay >= options.MaxIdleDelay)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var left = delay - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero || signal.TryTake())
            {
                return;
            }

            if (left > SpinWaitPart)
            {
                // A thread's sleep runs on the high-resolution clock, unlike a timer.
                Thread.Sleep(1);
            }
            else
            {
                Thread.SpinWait(64);
            }
        }
    }

    /// <summary>
    /// Waits up to <see cref="RedisSchedulerOptions.ShutdownTimeout"/> for running handlers (each holds a
    /// slot until it returns, or until its failure is reported), then hands back the tasks of
    /// handlers that overran, and waits for the outcomes still on their way to Redis.
    /// </summary>
    private async Task DrainAsync(SemaphoreSlim slots)
    {
        using var timeout = new CancellationTokenSource(options.ShutdownTimeout, time);
        var acquired = 0;
        try
        {
            for (; acquired < concurrency; acquired++)
            {
                await slots.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Only handlers still running are handed back; one that has returned is reporting its own outcome.
            await Task.WhenAll(running.Values.Where(run => run.TryAbandon()).Select(run =>
            {
                Log.HandlerOverranShutdown(logger, TaskId.Format(keys.TaskType, run.Task.LocalId), options.ShutdownTimeout);
                return FinishAsync(run.Task, SchedulerScripts.Instance.Release, [run.Task.LocalId, run.Task.Token, keys.WakeChannel]);
            })).ConfigureAwait(false);
        }

        // Handlers that returned gave their slot back before their acknowledgement landed; it must
        // land before the worker stops, or the task would run again after its lease. Each ack call
        // is retried for at most a lease (SendAsync), so this wait is bounded. Exchange, not a
        // volatile write: a full fence, so the read below cannot pass it and miss the wake-up
        // that Reported() (after its own fenced decrement) would otherwise not send.
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref reported, done);
        if (Volatile.Read(ref reporting) == 0)
        {
            done.TrySetResult();
        }

        await done.Task.ConfigureAwait(false);
    }

    private async Task<(IReadOnlyList<ClaimedTask> Claimed, TimeSpan IdleDelay)> ClaimAsync(IDatabase database, int wanted)
    {
        TimeSpan? sweepDead = null;
        TimeSpan? sweepResults = null;
        if (time.GetUtcNow() >= nextSweep)
        {
            sweepDead = options.DeadLetterRetention;
            sweepResults = options.ResultRetention;
            var shortest = new[] { DeadLetterSweepInterval, options.DeadLetterRetention ?? DeadLetterSweepInterval, options.ResultRetention }.Min();
            nextSweep = time.GetUtcNow() + shortest;
        }

        var claim = await ClaimScript.RunAsync(
            database, keys, wanted, options, retry.MaxAttempts, handler.GlobalConcurrencyLimit ?? 0, handler.RateLimitPerSecond ?? 0, sweepDead, sweepResults).ConfigureAwait(false);
        try
        {
            foreach (var occurrence in claim.Occurrences)
            {
                await AdvanceRecurringAsync(database, occurrence, claim.NowMs).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // The tasks just claimed must still run; the occurrence stays due and the next claim
            // returns it again.
            Log.RedisCallFailed(logger, e, keys.TaskType, TimeSpan.Zero);
        }

        // Occurrences just became tasks: claim again at once instead of sleeping. Otherwise sleep
        // until the next due time, to the microsecond of the server's clock.
        var idleDelay = claim.Occurrences.Count > 0 ? TimeSpan.Zero
            : claim.NextWakeMs < 0 ? options.MaxIdleDelay
            : TimeSpan.FromMicroseconds(Math.Clamp((claim.NextWakeMs * 1000) - claim.NowMicroseconds, 0, (long)options.MaxIdleDelay.TotalMicroseconds));
        return (claim.Claimed, idleDelay);
    }

    /// <summary>
    /// Turns a due occurrence of a recurring schedule into a task and moves the schedule on, with
    /// recur.lua's compare-and-set: when several instances see the same occurrence, one wins.
    /// </summary>
    private async Task AdvanceRecurringAsync(IDatabase database, DueOccurrence occurrence, long nowMs)
    {
        bool run;
        long? next;
        try
        {
            (run, next) = Recurring.RecurringDefinition.FromJson(occurrence.DefinitionJson).Decide(occurrence.OccurrenceMs, nowMs);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            // A definition this instance cannot read would otherwise come back with every claim.
            Log.RecurringScheduleUnreadable(logger, e, keys.TaskType, occurrence.Name);
            (run, next) = (false, null);
        }

        await SchedulerScripts.EvaluateAsync(
            database,
            SchedulerScripts.Instance.Recur,
            keys.All,
            [occurrence.Name, occurrence.OccurrenceMs, next is { } n ? n : RedisValue.EmptyString, run ? "1" : "0", keys.WakeChannel]).ConfigureAwait(false);
    }

    private async Task RunOneAsync(RunningTask run, SemaphoreSlim slots, AckBatcher acks, CancellationToken stoppingToken)
    {
        var task = run.Task;
        var holdsSlot = true;
        var acknowledging = false;
        if (run.IsAbandoned)
        {
            // Handed back (a stop's overrun or a lost lease) before its handler started: another
            // worker may hold it now, so it must not run here.
            Forget(run);
            ReleaseSlot(slots);
            return;
        }

        try
        {
            Exception? failure = null;
            byte[]? result = null;
            try
            {
                result = await execute(task, run.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                failure = e;
            }

            // Counted before TryFinish, so a stop that abandons the handlers still running knows
            // of every outcome already being reported (see DrainAsync).
            Interlocked.Increment(ref reporting);
            try
            {
                if (!run.TryFinish())
                {
                    // Another worker may hold the task now, or shutdown already handed it back.
                    Log.LeaseLost(logger, keys.TaskType, task.LocalId);
                }
                else if (failure is OperationCanceledException && stoppingToken.IsCancellationRequested)
                {
                    Log.TaskReleased(logger, keys.TaskType, task.LocalId);
                    await FinishAsync(task, SchedulerScripts.Instance.Release, [task.LocalId, task.Token, keys.WakeChannel]).ConfigureAwait(false);
                }
                else if (failure is not null)
                {
                    await FailAsync(task, failure).ConfigureAwait(false);
                }
                else
                {
                    // The handler is done, so its slot is free now: the next task need not wait a
                    // round trip for this acknowledgement. The task stays in `running` until the
                    // acknowledgement lands (OnAcknowledged), so its lease is still renewed meanwhile.
                    // At most 4 x `concurrency` tasks wait like that: if acknowledgements are held up,
                    // further tasks keep their slot, so claiming slows down instead of piling up
                    // tasks that would all run again if the acknowledgements never landed.
                    if (Interlocked.Increment(ref acknowledgingWithoutSlot) <= MaxAcknowledgingWithoutSlotPerSlot * concurrency)
                    {
                        slots.Release();
                    }
                    else
                    {
                        Interlocked.Decrement(ref acknowledgingWithoutSlot);
                        run.HoldsSlotUntilAcknowledged = true;
                    }

                    holdsSlot = false;
                    acknowledging = true;
                    acks.Ack(run, result);
                }
            }
            finally
            {
                if (!acknowledging)
                {
                    Reported();
                }
            }
        }
        catch (Exception e)
        {
            // Nothing awaits this work item, so an exception here would vanish: say so. The task's
            // lease runs out and it is handed out again.
            Log.OutcomeNotReported(logger, e, keys.TaskType, task.LocalId);
        }
        finally
        {
            if (!acknowledging)
            {
                Forget(run);
            }

            if (holdsSlot)
            {
                ReleaseSlot(slots);
            }
        }
    }

    /// <summary>The task's acknowledgement reached Redis, or was given up on after a lease.</summary>
    private void OnAcknowledged(RunningTask run, SemaphoreSlim slots)
    {
        Forget(run);
        if (run.HoldsSlotUntilAcknowledged)
        {
            ReleaseSlot(slots);
        }
        else
        {
            Interlocked.Decrement(ref acknowledgingWithoutSlot);
        }

        Reported();
    }

    /// <summary>Gives a slot back; a handler that returns after its worker stopped finds the slots gone.</summary>
    private static void ReleaseSlot(SemaphoreSlim slots) => ReleaseSlots(slots, 1);

    /// <summary>Gives slots back; a claim or handler that ends after its worker stopped finds the slots gone.</summary>
    private static void ReleaseSlots(SemaphoreSlim slots, int count)
    {
        if (count <= 0)
        {
            return;
        }

        try
        {
            slots.Release(count);
        }
        catch (ObjectDisposedException)
        {
            // The worker has stopped: an abandoned handler returned late. Nothing waits for the slot.
        }
    }

    private void Forget(RunningTask run)
    {
        running.TryRemove(run.Task.LeaseMember, out _);
        run.Dispose();
    }

    private void Reported()
    {
        if (Interlocked.Decrement(ref reporting) == 0)
        {
            Volatile.Read(ref reported)?.TrySetResult();
        }
    }

    private Task FailAsync(ClaimedTask task, Exception failure)
    {
        var taskId = TaskId.Format(keys.TaskType, task.LocalId);
        var error = TaskErrorJson.From(failure);
        var permanent = isPermanentFailure(failure);
        if (permanent || task.Record.Attempt >= retry.MaxAttempts)
        {
            Log.TaskDeadLettered(logger, failure, taskId, task.Record.Attempt, permanent);
            return FinishAsync(task, SchedulerScripts.Instance.Dead, [task.LocalId, task.Token, error, keys.DoneChannel]);
        }

        var delay = retry.DelayAfter(task.Record.Attempt, Random.Shared.NextDouble());
        Log.TaskFailed(logger, failure, taskId, task.Record.Attempt, delay);
        return FinishAsync(task, SchedulerScripts.Instance.Retry, [task.LocalId, task.Token, (long)delay.TotalMilliseconds, keys.WakeChannel, error]);
    }

    /// <summary>Runs a finishing script for one delivery (retry, dead, release); each refuses a delivery whose lease was lost.</summary>
    private async Task FinishAsync(ClaimedTask task, SchedulerScript script, RedisValue[] args)
    {
        var result = await SendAsync(script, args).ConfigureAwait(false);
        if (result is null)
        {
            return;
        }

        switch ((int)result)
        {
            case 0:
                Log.LeaseLost(logger, keys.TaskType, task.LocalId);
                break;
            case 2:
                // dead.lua: continuations wait to hear that this task failed.
                outbox.Kick();
                break;
        }
    }

    /// <summary>
    /// Runs a finishing script. A connection failure is retried while a lease lasts: giving up would
    /// let the lease run out and the task run twice although no worker died. The scripts are safe to
    /// repeat: if a first call did reach Redis, the repeat finds the delivery gone and changes nothing.
    /// </summary>
    /// <returns>The script's reply, or <see langword="null"/> when Redis stayed unreachable for a whole lease.</returns>
    private async Task<RedisResult?> SendAsync(SchedulerScript script, RedisValue[] args)
    {
        var giveUpAt = time.GetUtcNow() + options.LeaseDuration;
        var backoff = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            try
            {
                // Redis commands take no cancellation token: finishing must reach Redis even while the host stops.
                var database = await connection.GetDatabaseAsync(CancellationToken.None).ConfigureAwait(false);
                return await SchedulerScripts.EvaluateAsync(database, script, keys.All, args).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                if (time.GetUtcNow() + backoff >= giveUpAt)
                {
                    // The lease runs out and the task is handed out again: at least once, never lost.
                    Log.FinishingAbandoned(logger, e, keys.TaskType, options.LeaseDuration);
                    return null;
                }

                await Task.Delay(backoff, time, CancellationToken.None).ConfigureAwait(false);
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 1_000));
            }
        }
    }

    /// <summary>
    /// Delivers the type's outbox at start and then every few seconds, on its own timer so that busy
    /// slots cannot hold it up: entries are normally delivered by the worker that wrote them, and
    /// this catches those whose worker died first, failed deliveries, and leases that ran out on a
    /// last attempt in claim.lua.
    /// </summary>
    private async Task DeliverOutboxPeriodicallyAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(OutboxPump.OutboxRecoveryInterval, time);
        try
        {
            do
            {
                outbox.Kick();
            }
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The worker has stopped.
        }
    }

    /// <summary>Renews the leases of running tasks every third of a lease, and stops handlers whose lease was lost.</summary>
    private async Task RenewLeasesAsync(CancellationToken renewalStop)
    {
        var period = options.LeaseDuration / 3;
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(renewalStop).ConfigureAwait(false))
            {
                if (running.IsEmpty)
                {
                    continue;
                }

                var args = new List<RedisValue> { (long)options.LeaseDuration.TotalMilliseconds };
                args.AddRange(running.Keys.Select(m => (RedisValue)m));
                try
                {
                    var database = await connection.GetDatabaseAsync(renewalStop).ConfigureAwait(false);
                    var lost = (RedisResult[])(await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Renew, keys.All, [.. args]).ConfigureAwait(false))!;
                    foreach (var member in lost)
                    {
                        if (running.TryGetValue((string)member!, out var run))
                        {
                            run.TryAbandon();
                        }
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !renewalStop.IsCancellationRequested)
                {
                    // Any failure, not only Redis's: a renewal loop that ended would let every long task run twice.
                    Log.RedisCallFailed(logger, e, keys.TaskType, period);
                }
            }
        }
        catch (OperationCanceledException) when (renewalStop.IsCancellationRequested)
        {
            // The last handler is finished or handed back (see RunAsync).
        }
    }

    /// <summary>What one claim did: slots taken for it, tasks it started, how long the worker may sleep if it took none, or why it failed.</summary>
    private readonly record struct ClaimRound(int Wanted, int Claimed, TimeSpan IdleDelay, Exception? Failure);
}
