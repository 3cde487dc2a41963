namespace RedisScheduler.Handling;

/// <summary>What one claim round did: the slots taken for it, the tasks it started, how long the worker may sleep if it took none, or why it failed.</summary>
internal readonly record struct ClaimRound(int Wanted, int Claimed, TimeSpan IdleDelay, Exception? Failure)
{
    public static ClaimRound Failed(int wanted, Exception failure) => new(wanted, 0, TimeSpan.Zero, failure);

    /// <summary>Whether the round took every task it had slots for: the ready list may hold more.</summary>
    public bool TookAll => Failure is null && Claimed == Wanted && Wanted > 0;
}
