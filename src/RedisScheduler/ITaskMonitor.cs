namespace RedisScheduler;

/// <summary>
/// Read-only views of the tasks of a type, for admin APIs and dashboards. No KEYS, no scans of
/// whole sets: counts are O(1), a page costs O(log n + page) (O(offset + page) for ready tasks,
/// which are lists). Of finished tasks only the newest successes (<see cref="RedisSchedulerOptions.SucceededHistoryLimit"/>
/// per type) and the dead letters are kept, and listed. Registered by <c>services.AddRedisScheduler()</c>; thread-safe.
/// </summary>
public interface ITaskMonitor
{
    /// <summary>Counts the tasks of one type in each state (nine O(1) reads in one round trip).</summary>
    /// <param name="taskType">The task type name, as in <see cref="TaskContext.TaskType"/>.</param>
    /// <param name="cancellationToken">Stops waiting for Redis.</param>
    /// <returns>The counts.</returns>
    Task<TaskCounts> GetCountsAsync(string taskType, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists one page of the tasks of a type in one state: scheduled by due time, ready,
    /// dead-lettered and waiting oldest first, processing by lease expiry, failed (waiting for a
    /// retry) by when the attempt failed.
    /// </summary>
    /// <param name="taskType">The task type name.</param>
    /// <param name="state">The state to list.</param>
    /// <param name="offset">How many to skip.</param>
    /// <param name="count">How many to return at most (1 to 1000).</param>
    /// <param name="cancellationToken">Stops waiting for Redis.</param>
    /// <returns>The tasks in this page; one that finished while it was read is left out.</returns>
    Task<IReadOnlyList<TaskInfo>> ListAsync(string taskType, TaskState state, int offset = 0, int count = 100, CancellationToken cancellationToken = default);

    /// <summary>Lists one page of the succeeded history of a type, newest first.</summary>
    /// <param name="taskType">The task type name.</param>
    /// <param name="offset">How many to skip.</param>
    /// <param name="count">How many to return at most (1 to 1000).</param>
    /// <param name="cancellationToken">Stops waiting for Redis.</param>
    /// <returns>The newest successes in this page, with their results while those are kept; the payloads are not kept.</returns>
    Task<IReadOnlyList<SucceededTask>> ListSucceededAsync(string taskType, int offset = 0, int count = 100, CancellationToken cancellationToken = default);
}
