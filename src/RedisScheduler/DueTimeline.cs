namespace RedisScheduler;

/// <summary>How many scheduled tasks of one type fall due in each coming minute and hour, as returned by <see cref="ITaskMonitor.GetDueTimelineAsync"/>.</summary>
/// <param name="TaskType">The task type name.</param>
/// <param name="Now">The Redis server's time when it was read.</param>
/// <param name="FirstMinute">The start of the first minute of <paramref name="Minutes"/>.</param>
/// <param name="Minutes">Sixty counts, one per minute from <paramref name="FirstMinute"/>; the first also counts the tasks already due and not yet taken from the schedule.</param>
/// <param name="FirstHour">The start of the first hour of <paramref name="Hours"/>.</param>
/// <param name="Hours">Twenty-four counts, one per hour from <paramref name="FirstHour"/>; the first also counts the tasks already due.</param>
public sealed record DueTimeline(string TaskType, DateTimeOffset Now, DateTimeOffset FirstMinute, IReadOnlyList<long> Minutes, DateTimeOffset FirstHour, IReadOnlyList<long> Hours);
