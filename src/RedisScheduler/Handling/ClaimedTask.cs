using RedisScheduler.Storage;

namespace RedisScheduler.Handling;

/// <summary>One delivery of a task to this worker: the task, and the token that fences this delivery.</summary>
internal sealed record ClaimedTask(string LocalId, string Token, TaskRecord Record)
{
    /// <summary>The in-flight member of this delivery (see <see cref="Storage.LeaseMember"/>); made once, as the worker looks it up twice per task.</summary>
    public string LeaseMember { get; } = Storage.LeaseMember.Format(LocalId, Token);

    /// <summary>The server's clock when the claim took the task, for its lateness; unset (0) in tasks made by hand.</summary>
    public ClaimClock Clock { get; init; }
}

/// <summary>
/// The Redis server's clock at a claim, and the local timestamp when its reply arrived: due times
/// are by the server's clock, so a handler's lateness is that clock plus the local time elapsed
/// since, never the local wall clock.
/// </summary>
internal readonly record struct ClaimClock(long ServerNowMicroseconds, long LocalTimestamp)
{
    /// <summary>How late a task due at <paramref name="dueAtMs"/> (server clock) starts now, in seconds; <see langword="null"/> without a clock.</summary>
    public double? LatenessSeconds(long dueAtMs, TimeProvider time)
        => ServerNowMicroseconds == 0
            ? null
            : ((ServerNowMicroseconds / 1000.0) + time.GetElapsedTime(LocalTimestamp).TotalMilliseconds - dueAtMs) / 1000.0;
}
