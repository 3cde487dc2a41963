namespace RedisScheduler;

/// <summary>How many tasks of one type are in each state, as returned by <see cref="ITaskMonitor.GetCountsAsync"/>.</summary>
/// <param name="TaskType">The task type name.</param>
/// <param name="Scheduled">Waiting for their due time (including retries waiting for their backoff).</param>
/// <param name="Ready">Due and waiting for a worker.</param>
/// <param name="Processing">Held by a worker under a lease.</param>
/// <param name="DeadLettered">Failed for good.</param>
/// <param name="Waiting">Continuations waiting for their parents.</param>
/// <param name="Succeeded">Succeeded and still in the history: at most <see cref="RedisSchedulerOptions.SucceededHistoryLimit"/> plus the smaller of that limit and 256, plus one acknowledgement call's tasks (it is trimmed in steps).</param>
/// <param name="Failed">Of the <paramref name="Scheduled"/> and <paramref name="Ready"/> ones, those waiting for a retry after a failed attempt, until a worker takes them.</param>
public sealed record TaskCounts(string TaskType, long Scheduled, long Ready, long Processing, long DeadLettered, long Waiting, long Succeeded, long Failed);
