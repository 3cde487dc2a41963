namespace RedisScheduler.Handling;

/// <summary>
/// What one <see cref="TaskWorker"/> of this instance shows the outside: the tasks it holds
/// (how many and which, for the heartbeat) and when its loop last began a cycle (for the liveness check). Written by
/// the worker's loop with plain volatile writes, read by the heartbeat and health checks.
/// </summary>
internal sealed class WorkerPulse(string taskType, int concurrency, TimeProvider time)
{
    private IHeldTasks? held;
    private long lastCycle;
    private int state; // 0 not started, 1 running, 2 stopped

    public string TaskType { get; } = taskType;

    public int Concurrency { get; } = concurrency;

    public bool IsRunning => Volatile.Read(ref state) == 1;

    public bool HasStopped => Volatile.Read(ref state) == 2;

    /// <summary>How many tasks the worker holds now (0 when it does not run).</summary>
    public int Running => Volatile.Read(ref held)?.Count ?? 0;

    /// <summary>Whether every slot is taken: the loop then waits for a handler to finish, which is not a stall.</summary>
    public bool IsSaturated => Running >= Concurrency;

    /// <summary>Adds the ids of tasks the worker holds to <paramref name="ids"/> until it holds <paramref name="max"/> (none when it does not run).</summary>
    public void AddTaskIds(List<string> ids, int max) => Volatile.Read(ref held)?.AddTaskIds(ids, max);

    /// <summary>The worker's loop began; <paramref name="tasks"/> is what it holds (over every partition of its type).</summary>
    public void Started(IHeldTasks tasks)
    {
        Volatile.Write(ref held, tasks);
        Cycle();
        Volatile.Write(ref state, 1);
    }

    /// <summary>The loop began another cycle: once per iteration, one timestamp read.</summary>
    public void Cycle() => Volatile.Write(ref lastCycle, time.GetTimestamp());

    /// <summary>The loop ended (the host stopped, or the worker failed).</summary>
    public void Stopped()
    {
        Volatile.Write(ref state, 2);
        Volatile.Write(ref held, null);
    }

    /// <summary>How long ago the loop last began a cycle.</summary>
    public TimeSpan SinceLastCycle => time.GetElapsedTime(Volatile.Read(ref lastCycle));
}
