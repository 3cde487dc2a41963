namespace RedisScheduler;

/// <summary>A batch scheduled by <see cref="ITaskScheduler.ScheduleBatchAsync"/>.</summary>
/// <param name="BatchId">The id of the batch's completion task: pass it to <see cref="ITaskScheduler.GetBatchProgressAsync"/> or <see cref="ITaskScheduler.WaitForCompletionAsync"/>.</param>
/// <param name="TaskIds">The ids of the batch's tasks, in the order their payloads were given.</param>
public sealed record TaskBatch(string BatchId, IReadOnlyList<string> TaskIds);
