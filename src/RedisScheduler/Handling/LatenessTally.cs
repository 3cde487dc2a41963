namespace RedisScheduler.Handling;

/// <summary>
/// The lateness of the tasks of one acknowledgement batch, summed up for ack.lua: how many had one,
/// their sum and their largest, in whole ms. A value type filled on the hot path without allocating.
/// </summary>
internal struct LatenessTally
{
    public long Samples { get; private set; }

    public long SumMs { get; private set; }

    public long MaxMs { get; private set; }

    /// <summary>Adds a task's lateness; <see langword="null"/> (a delivery made by hand) adds nothing.</summary>
    public void Add(long? latenessMs)
    {
        if (latenessMs is not { } ms)
        {
            return;
        }

        Samples++;
        SumMs += ms;
        MaxMs = Math.Max(MaxMs, ms);
    }
}
