namespace RedisScheduler.Handling;

/// <summary>
/// The workers of this instance (one per registered handler), each with its <see cref="WorkerPulse"/>:
/// what the registry's heartbeat reports and what the liveness check looks at. Workers are added when
/// the host builds its hosted services, before any of them starts.
/// </summary>
internal sealed class InstanceWorkers(TimeProvider time)
{
    private readonly object gate = new();
    private WorkerPulse[] pulses = [];

    public IReadOnlyList<WorkerPulse> Pulses => Volatile.Read(ref pulses);

    /// <summary>How many tasks this instance's workers hold now, summed.</summary>
    public int Running
    {
        get
        {
            var sum = 0;
            foreach (var pulse in Pulses)
            {
                sum += pulse.Running;
            }

            return sum;
        }
    }

    /// <summary>
    /// The ids of tasks this instance's workers hold now, at most <paramref name="max"/>: a heartbeat
    /// must not grow with the work in flight. When more are held, each worker gets an equal share, and
    /// what a worker holding fewer leaves goes to the others (they are asked fewest-held first), so a
    /// busy type does not hide a quiet one's tasks.
    /// </summary>
    public List<string> RunningTaskIds(int max)
    {
        var ids = new List<string>();
        var pulses = Pulses.OrderBy(pulse => pulse.Running).ToArray();
        for (var i = 0; i < pulses.Length && ids.Count < max; i++)
        {
            var share = (max - ids.Count) / (pulses.Length - i);
            pulses[i].AddTaskIds(ids, ids.Count + Math.Max(share, 1));
        }

        return ids;
    }

    public WorkerPulse Add(string taskType, int concurrency)
    {
        var pulse = new WorkerPulse(taskType, concurrency, time);
        lock (gate)
        {
            pulses = [.. pulses, pulse];
        }

        return pulse;
    }
}
