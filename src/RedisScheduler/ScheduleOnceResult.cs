namespace RedisScheduler;

/// <summary>What <see cref="ITaskScheduler.ScheduleTaskOnceAsync"/> did.</summary>
/// <param name="TaskId">The id of the task with that key: the new one, or the one that already existed.</param>
/// <param name="Created"><see langword="true"/> if this call scheduled it; <see langword="false"/> if a task with the key existed and the call was ignored.</param>
public readonly record struct ScheduleOnceResult(string TaskId, bool Created);
