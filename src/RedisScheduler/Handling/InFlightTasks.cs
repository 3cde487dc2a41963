using System.Collections.Concurrent;
using RedisScheduler.Storage;

namespace RedisScheduler.Handling;

/// <summary>
/// The tasks a worker holds: from the claim that took them until their outcome reached Redis (or was
/// given up on). Keyed by lease member, which is what renew.lua names when a lease was lost.
/// </summary>
internal sealed class InFlightTasks : IHeldTasks
{
    private readonly ConcurrentDictionary<string, RunningTask> running = new(StringComparer.Ordinal);
    private int stopping;
    private int count;

    public bool IsEmpty => running.IsEmpty;

    /// <summary>
    /// How many tasks are held now, for the worker registry's heartbeat: a plain read, where
    /// <see cref="ConcurrentDictionary{TKey, TValue}.Count"/> would take every lock of the dictionary.
    /// </summary>
    public int Count => Volatile.Read(ref count);

    /// <summary>
    /// Adds the ids of held tasks to <paramref name="ids"/> until it holds <paramref name="max"/>, for the
    /// heartbeat. The dictionary's own enumerator takes no lock (where <c>Values</c> would take every one)
    /// and stops at <paramref name="max"/>, so a worker holding thousands pays for 50 at most. A delivery
    /// made by hand (tests, benchmarks) has no id type, so it has no public id and is left out.
    /// </summary>
    public void AddTaskIds(List<string> ids, int max)
    {
        foreach (var (_, run) in running)
        {
            if (ids.Count >= max)
            {
                return;
            }

            if (run.Task.Call.IdType is { } idType)
            {
                ids.Add(TaskId.Format(idType, run.Task.LocalId));
            }
        }
    }

    /// <summary>The lease members of the tasks held now, for renew.lua.</summary>
    public ICollection<string> LeaseMembers => running.Keys;

    /// <summary>Starts holding a claimed task; one claimed after the host began stopping is stopped at once.</summary>
    public RunningTask Add(ClaimedTask task)
    {
        var run = new RunningTask(task);
        if (running.TryAdd(run.Task.LeaseMember, run))
        {
            Interlocked.Increment(ref count);
        }
        else
        {
            running[run.Task.LeaseMember] = run;
        }

        // A fenced read (as StopAll's write is fenced): it cannot move before the add above.
        if (Interlocked.CompareExchange(ref stopping, 1, 1) == 1)
        {
            // Added after StopAll looked: stop it here instead.
            run.Stop();
        }

        return run;
    }

    /// <summary>Stops holding a task whose outcome is reported or given up on.</summary>
    public void Forget(RunningTask run)
    {
        if (running.TryRemove(run.Task.LeaseMember, out _))
        {
            Interlocked.Decrement(ref count);
        }

        run.Dispose();
    }

    /// <summary>Stops holding a claimed task that never started (a claim round failed half-way), if it was added.</summary>
    public void Forget(ClaimedTask task)
    {
        if (running.TryRemove(task.LeaseMember, out var run))
        {
            Interlocked.Decrement(ref count);
            run.Dispose();
        }
    }

    /// <summary>renew.lua found this lease lost: the handler is stopped and its outcome no longer counts.</summary>
    public void AbandonLost(string leaseMember)
    {
        if (running.TryGetValue(leaseMember, out var run))
        {
            run.TryAbandon();
        }
    }

    /// <summary>The host is stopping: every handler's token fires, and their outcomes still count.</summary>
    public void StopAll()
    {
        // Exchange, not a volatile write: a full fence, so the look at the tasks below cannot move
        // before it and miss one whose Add saw the flag still clear.
        Interlocked.Exchange(ref stopping, 1);
        foreach (var run in running.Values)
        {
            run.Stop();
        }
    }

    /// <summary>
    /// Takes the tasks whose handlers are still running away from them (their outcome no longer
    /// counts), for a stop that waited long enough; one that has returned reports its own outcome.
    /// </summary>
    public IReadOnlyList<RunningTask> AbandonRunning() => [.. running.Values.Where(run => run.TryAbandon())];
}
