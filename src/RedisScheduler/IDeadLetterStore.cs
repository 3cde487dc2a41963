namespace RedisScheduler;

/// <summary>
/// Tasks that failed for good, per task type: after their last attempt, or at once for a failure
/// that cannot succeed. Registered by <c>services.AddRedisScheduler()</c>; thread-safe.
/// </summary>
public interface IDeadLetterStore
{
    /// <summary>Lists dead letters of one type, oldest first.</summary>
    /// <param name="taskType">The task type name, as in <see cref="TaskContext.TaskType"/>.</param>
    /// <param name="offset">How many to skip.</param>
    /// <param name="count">How many to return at most (1 to 1000).</param>
    /// <param name="cancellationToken">Stops waiting for Redis.</param>
    /// <returns>The dead letters in this page.</returns>
    Task<IReadOnlyList<DeadLetter>> ListAsync(string taskType, int offset = 0, int count = 100, CancellationToken cancellationToken = default);

    /// <summary>Schedules a dead-lettered task again, due now, with its attempts counted from zero.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="cancellationToken">Stops waiting for Redis; the task may still have been requeued.</param>
    /// <returns><see langword="true"/> if it was requeued; <see langword="false"/> if it is not a dead letter.</returns>
    /// <exception cref="InvalidOperationException">It is a dead letter whose record is missing or cannot be read (reason
    /// <c>MalformedRecord</c>); it stays one until a correct record is written or it is deleted.</exception>
    Task<bool> RequeueAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>Requeues every dead letter of one type, in batches of 1000.</summary>
    /// <param name="taskType">The task type name.</param>
    /// <param name="cancellationToken">Stops between batches; batches already sent stay requeued.</param>
    /// <returns>How many were requeued. Letters whose records are missing or cannot be read (<c>MalformedRecord</c>) are kept.</returns>
    Task<long> RequeueAllAsync(string taskType, CancellationToken cancellationToken = default);

    /// <summary>Deletes a dead-lettered task for good.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="cancellationToken">Stops waiting for Redis; the task may still have been deleted.</param>
    /// <returns><see langword="true"/> if it was deleted; <see langword="false"/> if it is not a dead letter.</returns>
    Task<bool> DeleteAsync(string taskId, CancellationToken cancellationToken = default);
}
