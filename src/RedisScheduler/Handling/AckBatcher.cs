using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RedisScheduler.Continuations;
using RedisScheduler.Diagnostics;
using RedisScheduler.Storage;

namespace RedisScheduler.Handling;

/// <summary>
/// Sends acknowledgements of one task type in batches: while one ack.lua call is on its way, the
/// tasks finishing meanwhile queue up and go together in the next. Nothing waits for a batch to
/// fill, so a lone task is acknowledged at once; under load, one round trip serves many tasks.
/// When a batch has landed (or was given up on), the reporter hears of each of its tasks: a call
/// rather than a task per acknowledgement, so a handler that completes synchronously costs no async
/// state machine and no completion source.
/// </summary>
internal sealed class AckBatcher(TaskTypeKeys keys, int succeededHistoryLimit, OutcomeSender sender, OutcomeReporter reporter, OutboxPump outbox, ILogger logger)
{
    /// <summary>Enough to amortise the call; small enough that one script never holds Redis for long.</summary>
    private const int MaxBatch = 256;

    private readonly ConcurrentQueue<(RunningTask Run, byte[]? Result)> queue = new();
    private int flushing;

    /// <summary>Queues the task's acknowledgement (with its result, if any); <see cref="OutcomeReporter.Acknowledged"/> follows once it reached Redis, or was given up on.</summary>
    public void Ack(RunningTask run, byte[]? result = null)
    {
        queue.Enqueue((run, result));
        if (Interlocked.CompareExchange(ref flushing, 1, 0) == 0)
        {
            _ = FlushAsync();
        }
    }

    private async Task FlushAsync()
    {
        var batch = new List<(RunningTask Run, byte[]? Result)>(MaxBatch);
        while (true)
        {
            while (batch.Count < MaxBatch && queue.TryDequeue(out var item))
            {
                batch.Add(item);
            }

            if (batch.Count == 0)
            {
                // Exchange, not a volatile write: a full fence, so the look at the queue below cannot
                // move before the flag is cleared (Ack enqueues, then tests the flag with a CAS).
                Interlocked.Exchange(ref flushing, 0);
                // An ack queued after the queue looked empty but before the flag was cleared would
                // otherwise wait for the next one.
                if (queue.IsEmpty || Interlocked.CompareExchange(ref flushing, 1, 0) != 0)
                {
                    return;
                }

                continue;
            }

            // Sent here rather than in a method of its own: an async call per batch would cost the
            // hot path an allocation. Whatever goes wrong, the queue moves on.
            try
            {
                var call = AckScript.Create(keys, succeededHistoryLimit, batch.Count);
                var lateness = default(LatenessTally);
                for (var i = 0; i < batch.Count; i++)
                {
                    AckScript.SetTask(call, i, batch[i].Run.Task, batch[i].Result);
                    lateness.Add(batch[i].Run.LatenessMs);
                }

                AckScript.SetLateness(call, lateness);

                if (await sender.SendAsync(call).ConfigureAwait(false) is { } reply)
                {
                    Landed(AckScript.ParseReply(reply), batch.Count);
                }
            }
            catch (Exception e)
            {
                // Every later ack would wait for ever otherwise. These tasks' leases run out and
                // they are handed out again.
                Log.AcknowledgementFailed(logger, e, keys.IdType, batch.Count);
            }

            foreach (var (run, _) in batch)
            {
                try
                {
                    reporter.Acknowledged(run);
                }
                catch (Exception e)
                {
                    // The worker's bookkeeping must not stop the acknowledgements of later tasks.
                    Log.AcknowledgementBookkeepingFailed(logger, e, keys.IdType, run.Task.LocalId);
                }
            }

            batch.Clear();
        }
    }

    private void Landed(AckReply acknowledged, int sent)
    {
        SchedulerMetrics.Outcome(keys.TaskType, SchedulerMetrics.Succeeded, sent - acknowledged.LeaseLostCount);
        SchedulerMetrics.Outcome(keys.TaskType, SchedulerMetrics.LeaseLost, acknowledged.LeaseLostCount);
        if (acknowledged.NotifiedContinuations)
        {
            outbox.Kick();
        }

        foreach (var id in acknowledged.LeaseLost)
        {
            Log.LeaseLost(logger, keys.IdType, id);
        }
    }
}
