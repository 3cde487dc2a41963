namespace RedisScheduler;

/// <summary>Throughput and lateness of one task type, minute by minute, as returned by <see cref="ITaskMonitor.GetActivityAsync"/>.</summary>
/// <param name="TaskType">The task type name.</param>
/// <param name="Now">The Redis server's time when it was read.</param>
/// <param name="Minutes">Sixty minutes, oldest first; the last is the minute <paramref name="Now"/> falls in (or the one asked for), so far.</param>
public sealed record TaskActivity(string TaskType, DateTimeOffset Now, IReadOnlyList<MinuteActivity> Minutes);
