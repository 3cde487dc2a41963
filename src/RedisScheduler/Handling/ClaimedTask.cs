using RedisScheduler.Storage;

namespace RedisScheduler.Handling;

/// <summary>One delivery of a task to this worker: the task, and the claim call that delivered it (whose token fences this delivery).</summary>
internal sealed record ClaimedTask(string LocalId, ClaimCall Call, TaskRecord Record)
{
    /// <summary>A delivery made by hand (tests, benchmarks): a token and no server clock.</summary>
    public ClaimedTask(string localId, string token, TaskRecord record)
        : this(localId, new ClaimCall(token, 0, 0), record)
    {
    }

    /// <summary>The delivery token claim.lua gave every task of the call.</summary>
    public string Token => Call.Token;

    /// <summary>The in-flight member of this delivery (see <see cref="Storage.LeaseMember"/>); made once, as the worker looks it up twice per task.</summary>
    public string LeaseMember { get; } = Storage.LeaseMember.Format(LocalId, Call.Token);
}

/// <summary>
/// What one claim.lua call shares with every task it delivered: the delivery token, and the Redis
/// server's clock with the local timestamp when the reply arrived. Due times are by the server's
/// clock, so a handler's lateness is that clock plus the local time elapsed since, never the local
/// wall clock. One object per claim, referenced by its tasks: the worker's allocations per task are
/// budgeted (WorkerDrainBenchmarks). <paramref name="IdType"/> is the id type of the partition the
/// call claimed from (<see cref="TaskTypeKeys.IdType"/>), which every task id formed for a handler
/// carries; <see langword="null"/> for a delivery made by hand.
/// </summary>
internal sealed record ClaimCall(string Token, long ServerNowMicroseconds, long LocalTimestamp, string? IdType = null)
{
    /// <summary>How late a task due at <paramref name="dueAtMs"/> (server clock) starts now, in seconds; <see langword="null"/> for a delivery made by hand.</summary>
    public double? LatenessSeconds(long dueAtMs, TimeProvider time)
        => ServerNowMicroseconds == 0
            ? null
            : ((ServerNowMicroseconds / 1000.0) + time.GetElapsedTime(LocalTimestamp).TotalMilliseconds - dueAtMs) / 1000.0;
}
