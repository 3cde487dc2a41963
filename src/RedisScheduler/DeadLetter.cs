namespace RedisScheduler;

/// <summary>A task that failed for good, as listed by <see cref="IDeadLetterStore.ListAsync"/>.</summary>
/// <param name="Id">The task id returned when it was scheduled.</param>
/// <param name="TaskType">The stable task type name.</param>
/// <param name="Attempt">How many times it was handed to a handler.</param>
/// <param name="ScheduledAt">When it was scheduled, by the Redis server's clock.</param>
/// <param name="DueAt">When its last attempt was due, by the Redis server's clock.</param>
/// <param name="DeadLetteredAt">When it moved to the dead letters, by the Redis server's clock.</param>
/// <param name="Error">Why it failed.</param>
/// <param name="PayloadJson">The payload as stored, in JSON.</param>
public sealed record DeadLetter(
    string Id,
    string TaskType,
    int Attempt,
    DateTimeOffset ScheduledAt,
    DateTimeOffset DueAt,
    DateTimeOffset DeadLetteredAt,
    TaskError? Error,
    string PayloadJson);
