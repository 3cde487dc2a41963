using System.Collections.Concurrent;

namespace RedisScheduler.Handling;

/// <summary>
/// Starts the handlers of claimed tasks on the thread pool with few thread wake-ups. A work item
/// per task wakes a pool thread per task, which costs more CPU than a short handler; here the pool
/// thread that completed the claim starts the queued handlers one after another instead. So that a
/// handler which runs synchronously for long cannot hold up the others, a work item is kept in
/// reserve, queued, whenever tasks are left behind the one about to start: the reserve starts them
/// if that one is held up, and finds nothing to do (or little) when it is not.
/// </summary>
/// <remarks>
/// The claim's thread and each work item run with the <see cref="ExecutionContext"/> the claim loop
/// flowed to them, and an async handler cannot leak AsyncLocal changes into the next one, as an
/// async method restores the context when it returns to its caller.
/// </remarks>
internal sealed class HandlerRunQueue(TaskRunner runner)
{
    private readonly ConcurrentQueue<RunningTask> queue = new();

    /// <summary>1 while a work item is queued and has not begun: it will take what is queued, so no second one is needed.</summary>
    private int reserveQueued;

    /// <summary>Queues a task; <see cref="RunHere"/> starts the queued ones.</summary>
    public void Enqueue(RunningTask task) => queue.Enqueue(task);

    /// <summary>
    /// Starts the queued tasks on the calling thread, which must be a thread-pool thread that nothing
    /// waits for: one hand-over fewer before the first handler starts.
    /// </summary>
    public void RunHere() => StartQueued();

    private void QueueReserve()
    {
        if (Interlocked.CompareExchange(ref reserveQueued, 1, 0) == 0)
        {
            ThreadPool.QueueUserWorkItem(static self => self.StartReserved(), this, preferLocal: false);
        }
    }

    private void StartReserved()
    {
        // Cleared before the first dequeue: a task left behind after this item looked gets a new
        // reserve. Exchange, not a volatile write: a full fence, so the dequeue cannot move before the
        // clearing and miss a task whose QueueReserve() still saw the flag set.
        Interlocked.Exchange(ref reserveQueued, 0);
        StartQueued();
    }

    private void StartQueued()
    {
        while (queue.TryDequeue(out var task))
        {
            if (!queue.IsEmpty)
            {
                QueueReserve();
            }

            // Not awaited: the runner reports every outcome itself, and the next handler starts now.
            _ = runner.RunAsync(task);
        }
    }
}
