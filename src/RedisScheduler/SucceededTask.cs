namespace RedisScheduler;

/// <summary>A task that succeeded, from the history listed by <see cref="ITaskMonitor.ListSucceededAsync"/>.</summary>
/// <param name="Id">The task id.</param>
/// <param name="SucceededAt">When it was acknowledged, by the Redis server's clock.</param>
/// <param name="ResultJson">The result of a <see cref="TaskHandler{T, TResult}"/> while it is kept (see <see cref="RedisSchedulerOptions.ResultRetention"/>); otherwise <see langword="null"/>.</param>
public sealed record SucceededTask(string Id, DateTimeOffset SucceededAt, string? ResultJson);
