namespace RedisScheduler;

/// <summary>A snapshot of a task that has not finished (waiting for its parents, scheduled, failed and waiting for a retry, ready, running or dead-lettered), as returned by <see cref="ITaskScheduler.GetTaskAsync"/>.</summary>
/// <param name="Id">The task id returned when it was scheduled.</param>
/// <param name="TaskType">The stable task type name.</param>
/// <param name="State">Where the task is now.</param>
/// <param name="Attempt">How many times it has been handed to a worker so far.</param>
/// <param name="ScheduledAt">When it was scheduled, by the Redis server's clock.</param>
/// <param name="DueAt">When it is (or was) due, by the Redis server's clock: the time it was scheduled or last rescheduled for, or, after a failed attempt, when its retry is due.</param>
/// <param name="PayloadJson">The payload as stored, in JSON.</param>
/// <param name="LastError">Why the last attempt failed; <see langword="null"/> when none has.</param>
public sealed record TaskInfo(
    string Id,
    string TaskType,
    TaskState State,
    int Attempt,
    DateTimeOffset ScheduledAt,
    DateTimeOffset DueAt,
    string PayloadJson,
    TaskError? LastError);
