using Microsoft.Extensions.Logging;
using RedisScheduler.Continuations;
using RedisScheduler.Diagnostics;
using RedisScheduler.Storage;

namespace RedisScheduler.Handling;

/// <summary>
/// Reports what became of each task a worker ran: acknowledged (through the <see cref="AckBatcher"/>),
/// retried, dead-lettered or released, or nothing when its lease was lost. It owns the task's slot
/// and in-flight entry from the moment its handler returns, and counts the outcomes still on their
/// way, so a stopping worker can wait for them (<see cref="WaitForReportsAsync"/>).
/// </summary>
internal sealed class OutcomeReporter
{
    private readonly TaskTypeKeys keys;
    private readonly RetryPolicy retry;
    private readonly ConcurrencySlots slots;
    private readonly InFlightTasks inFlight;
    private readonly OutcomeSender sender;
    private readonly OutboxPump outbox;
    private readonly ITaskHandlerInvoker handler;
    private readonly ILogger logger;
    private readonly AckBatcher acks;

    /// <summary>Handlers that have returned and whose outcome is on its way to Redis.</summary>
    private int reporting;

    /// <summary>Set by a stopping worker; completed when <see cref="reporting"/> drops to zero.</summary>
    private TaskCompletionSource? reported;

    public OutcomeReporter(TaskTypeKeys keys, RedisSchedulerOptions options, RetryPolicy retry, ConcurrencySlots slots, InFlightTasks inFlight, OutcomeSender sender, OutboxPump outbox, ITaskHandlerInvoker handler, ILogger logger)
    {
        this.keys = keys;
        this.retry = retry;
        this.slots = slots;
        this.inFlight = inFlight;
        this.sender = sender;
        this.outbox = outbox;
        this.handler = handler;
        this.logger = logger;
        acks = new AckBatcher(keys, options.SucceededHistoryLimit, sender, this, outbox, logger);
    }

    /// <summary>
    /// Reports the outcome of a handler that returned (<paramref name="failure"/> is
    /// <see langword="null"/> when it succeeded). The task's slot and in-flight entry are given up
    /// here, or once its acknowledgement lands (<see cref="Acknowledged"/>).
    /// </summary>
    /// <param name="run">The task whose handler returned.</param>
    /// <param name="result">The handler's result as JSON, if it has one.</param>
    /// <param name="failure">What the handler threw, if anything.</param>
    /// <param name="stopping">Whether the host is stopping: a handler cancelled by it is released, not failed.</param>
    /// <param name="traceParent">The traceparent of the span around this run, if one was recorded: a retry stores it for the next attempt's link.</param>
    public async Task ReportAsync(RunningTask run, byte[]? result, Exception? failure, bool stopping, string? traceParent = null)
    {
        var task = run.Task;
        var holdsSlot = true;
        var acknowledging = false;
        try
        {
            // Counted before TryFinish, so a stop that abandons the handlers still running knows
            // of every outcome already being reported (see WaitForReportsAsync).
            Interlocked.Increment(ref reporting);
            try
            {
                if (!run.TryFinish())
                {
                    // Another worker may hold the task now, or shutdown already handed it back.
                    Log.LeaseLost(logger, keys.IdType, task.LocalId);
                    SchedulerMetrics.Outcome(keys.TaskType, SchedulerMetrics.LeaseLost);
                }
                else if (failure is OperationCanceledException && stopping)
                {
                    Log.TaskReleased(logger, keys.IdType, task.LocalId);
                    await FinishAsync(task, FinishScripts.Release(keys, task), SchedulerMetrics.Released).ConfigureAwait(false);
                }
                else if (failure is not null)
                {
                    await FailAsync(task, failure, run.LatenessMs, traceParent).ConfigureAwait(false);
                }
                else
                {
                    // The task stays in flight until its acknowledgement lands, so its lease is
                    // still renewed meanwhile; its slot is usually free at once.
                    run.HoldsSlotUntilAcknowledged = !slots.TryGiveBackBeforeAck();
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
            // Nothing awaits a handler's work item, so an exception here would vanish: say so. The
            // task's lease runs out and it is handed out again.
            Log.OutcomeNotReported(logger, e, keys.IdType, task.LocalId);
        }
        finally
        {
            if (!acknowledging)
            {
                inFlight.Forget(run);
            }

            if (holdsSlot)
            {
                slots.GiveBack();
            }
        }
    }

    /// <summary>The task's acknowledgement reached Redis, or was given up on after a lease.</summary>
    public void Acknowledged(RunningTask run)
    {
        inFlight.Forget(run);
        slots.AcknowledgementLanded(run.HoldsSlotUntilAcknowledged);
        Reported();
    }

    /// <summary>Gives a task whose handler overran a stop back to the ready list, for another worker.</summary>
    public Task HandBackAsync(RunningTask run) => FinishAsync(run.Task, FinishScripts.Release(keys, run.Task), SchedulerMetrics.Released);

    /// <summary>
    /// Waits for the outcomes still on their way to Redis. Each finishing call is retried for at most
    /// a lease (see <see cref="OutcomeSender"/>), so the wait is bounded.
    /// </summary>
    public async Task WaitForReportsAsync()
    {
        // Exchange, not a volatile write: a full fence, so the read below cannot pass it and miss the
        // wake-up that Reported() (after its own fenced decrement) would otherwise not send.
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref reported, done);
        if (Volatile.Read(ref reporting) == 0)
        {
            done.TrySetResult();
        }

        await done.Task.ConfigureAwait(false);
    }

    private void Reported()
    {
        if (Interlocked.Decrement(ref reporting) == 0)
        {
            Volatile.Read(ref reported)?.TrySetResult();
        }
    }

    private Task FailAsync(ClaimedTask task, Exception failure, long? latenessMs, string? traceParent)
    {
        var taskId = TaskId.Format(keys, task.LocalId);
        var error = TaskErrorJson.From(failure);
        var permanent = handler.IsPermanentFailure(failure);
        if (permanent || task.Record.Attempt >= retry.MaxAttempts)
        {
            Log.TaskDeadLettered(logger, failure, taskId, task.Record.Attempt, permanent);
            return FinishAsync(task, FinishScripts.Dead(keys, task, error, latenessMs), SchedulerMetrics.DeadLettered);
        }

        var delay = retry.DelayAfter(task.Record.Attempt, Random.Shared.NextDouble());
        Log.TaskFailed(logger, failure, taskId, task.Record.Attempt, delay);
        return FinishAsync(task, FinishScripts.Retry(keys, task, delay, error, latenessMs, traceParent), SchedulerMetrics.Retried);
    }

    private async Task FinishAsync(ClaimedTask task, ScriptCall call, string outcome)
    {
        if (await sender.SendAsync(call).ConfigureAwait(false) is not { } reply)
        {
            return;
        }

        var finished = FinishScripts.ParseReply(reply);
        SchedulerMetrics.Outcome(keys.TaskType, finished == FinishReply.LeaseLost ? SchedulerMetrics.LeaseLost : outcome);
        switch (finished)
        {
            case FinishReply.LeaseLost:
                Log.LeaseLost(logger, keys.IdType, task.LocalId);
                break;
            case FinishReply.FinishedWithContinuations:
                // Continuations wait to hear that this task failed.
                outbox.Kick();
                break;
        }
    }
}
