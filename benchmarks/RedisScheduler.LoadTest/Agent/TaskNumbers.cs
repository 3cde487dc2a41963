namespace RedisScheduler.LoadTest.Agent;

/// <summary>
/// Order ids by purpose, so the coordinator can tell measured tasks from the filler and warm-up
/// tasks in a handler's records. Measured ids have six digits (the 110-byte payload) up to N = 900,000.
/// </summary>
internal static class TaskNumbers
{
    /// <summary>Warm-up tasks, due in 2100: never run.</summary>
    public const int WarmUp = 1_000;

    /// <summary>The measured tasks: task <c>i</c> has order id <c>Measured + i</c>.</summary>
    public const int Measured = 100_000;

    /// <summary>The pending tasks due further in the future, for the scaling runs: never run.</summary>
    public const int Pending = 10_000_000;
}
