namespace RedisScheduler;

/// <summary>What the workers of one task type finished in one minute of the Redis server's clock (see <see cref="ITaskMonitor.GetActivityAsync"/>).</summary>
/// <param name="Minute">The start of the minute.</param>
/// <param name="Succeeded">Tasks acknowledged as succeeded in this minute.</param>
/// <param name="Failed">Attempts that failed in this minute, whether retried or dead-lettered.</param>
/// <param name="LatenessAverage">How late, on average, the tasks finished in this minute started after they were due (a retry after its own due time); <see langword="null"/> when none was measured.</param>
/// <param name="LatenessMax">The largest of those latenesses; <see langword="null"/> when there were none.</param>
public sealed record MinuteActivity(DateTimeOffset Minute, long Succeeded, long Failed, TimeSpan? LatenessAverage, TimeSpan? LatenessMax);
