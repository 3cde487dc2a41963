namespace RedisScheduler;

/// <summary>A recurring schedule as stored in Redis, from <see cref="IRecurringTaskManager.ListAsync"/>.</summary>
/// <param name="Name">The schedule's name, unique per task type.</param>
/// <param name="TaskType">The task type of its occurrences.</param>
/// <param name="CronExpression">The cron expression, or <see langword="null"/> for an interval schedule.</param>
/// <param name="Interval">The interval, or <see langword="null"/> for a cron schedule.</param>
/// <param name="TimeZoneId">The time zone the cron expression is read in.</param>
/// <param name="MisfirePolicy">What happens to missed occurrences.</param>
/// <param name="NextOccurrence">When it next fires, or <see langword="null"/> if it never will or is paused.</param>
/// <param name="PayloadJson">The payload every occurrence carries, in JSON.</param>
public sealed record RecurringTaskInfo(
    string Name,
    string TaskType,
    string? CronExpression,
    TimeSpan? Interval,
    string TimeZoneId,
    MisfirePolicy MisfirePolicy,
    DateTimeOffset? NextOccurrence,
    string PayloadJson)
{
    /// <summary>Whether it is paused (see <see cref="IRecurringTaskManager.PauseAsync"/>): it makes no occurrences until resumed.</summary>
    public bool IsPaused { get; init; }
}
