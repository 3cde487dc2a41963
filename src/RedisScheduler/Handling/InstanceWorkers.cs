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
