namespace RedisScheduler;

/// <summary>A task type a worker instance handles, and how many of its tasks that instance runs at once.</summary>
/// <param name="TaskType">The task type name.</param>
/// <param name="Concurrency">The handler's <see cref="TaskHandlerOptions.Concurrency"/>.</param>
public sealed record WorkerTaskType(string TaskType, int Concurrency);
