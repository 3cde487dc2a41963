using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Handling;

/// <summary>
/// Sends acknowledgements of one task type in batches: while one ack.lua call is on its way, the
/// tasks finishing meanwhile queue up and go together in the next. Nothing waits for a batch to
/// fill, so a lone task is acknowledged at once; under load, one round trip serves many tasks.
/// When a batch has landed (or was given up on), <c>acknowledged</c> is called for each of its
/// tasks: a callback rather than a task per acknowledgement, so a handler that completes
/// synchronously costs no async state machine and no completion source.
/// </summary>
internal sealed class AckBatcher(
    TaskTypeKeys keys,
    int succeededHistoryLimit,
    Func<RedisValue[], Task<RedisResult?>> send,
    Action<RunningTask> acknowledged,
    Action continuationsNotified,
    ILogger logger)
{
    /// <summary>Enough to amortise the call; small enough that one script never holds Redis for long.</summary>
    private const int MaxBatch = 256;

    private readonly ConcurrentQueue<(RunningTask Run, byte[]? Result)> queue = new();
    private int flushing;

    /// <summary>Queues the task's acknowledgement (with its result, if any); <c>acknowledged</c> follows once it reached Redis, or was given up on (see <c>send</c>).</summary>
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

            var args = new RedisValue[2 + (batch.Count * 4)];
            args[0] = keys.DoneChannel;
            args[1] = succeededHistoryLimit;
            for (var i = 0; i < batch.Count; i++)
            {
                ClaimScript.WriteAckArgs(batch[i].Run.Task, batch[i].Result, args.AsSpan(2 + (i * 4)));
            }

            RedisResult? reply = null;
            try
            {
                reply = await send(args).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Whatever went wrong, the queue must move on, or every later ack would wait for
                // ever. These tasks' leases run out and they are handed out again.
                Log.FinishingAbandoned(logger, e, keys.TaskType, TimeSpan.Zero);
            }

            try
            {
                if (reply is not null)
                {
                    // The count of continuation notices written, then the ids whose lease was lost.
                    var values = (RedisResult[])reply!;
                    if ((long)values[0] > 0)
                    {
                        continuationsNotified();
                    }

                    foreach (var id in values.Skip(1))
                    {
                        Log.LeaseLost(logger, keys.TaskType, (string)id!);
                    }
                }
            }
            catch (Exception e)
            {
                // Reading the reply must not keep the batch's callbacks, or later batches, from running.
                Log.FinishingAbandoned(logger, e, keys.TaskType, TimeSpan.Zero);
            }

            foreach (var (run, _) in batch)
            {
                try
                {
                    acknowledged(run);
                }
                catch (Exception e)
                {
                    // The worker's bookkeeping must not stop the acknowledgements of later tasks.
                    Log.FinishingAbandoned(logger, e, keys.TaskType, TimeSpan.Zero);
                }
            }

            batch.Clear();
        }
    }
}
