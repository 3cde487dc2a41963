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

    /// <summary>
    /// Lists the live instances that run task handlers, each as it registered when its host started
    /// and renewed in its last heartbeat (see <see cref="RedisSchedulerOptions.HeartbeatInterval"/>).
    /// An instance that stopped gracefully is gone at once; one that died is gone
    /// <see cref="RedisSchedulerOptions.HeartbeatTimeout"/> after its last heartbeat. One script call,
    /// O(instances); it also deletes the registrations it finds expired.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for Redis.</param>
    /// <returns>The live instances, the soonest to expire first.</returns>
    Task<IReadOnlyList<WorkerInfo>> ListWorkersAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists the task types that any instance has handled since the registry began: every instance
    /// adds its handlers' types with each heartbeat, so scheduling pays nothing for it. A type that
    /// is only scheduled, by applications without a handler for it, is not listed until some instance
    /// handles it. One HGETALL, O(types).
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for Redis.</param>
    /// <returns>The type names, sorted.</returns>
    Task<IReadOnlyList<string>> ListTaskTypesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Counts the scheduled tasks of a type that fall due in each of the next 60 minutes and the next
    /// 24 hours, by the Redis server's clock: the coming load. One read-only script call of 84 ZCOUNTs
    /// on the schedule, O(log n) each, whatever the number of tasks. Tasks waiting for a retry are
    /// counted at their next attempt; tasks already due and not yet taken count in the first minute and hour.
    /// </summary>
    /// <param name="taskType">The task type name.</param>
    /// <param name="from">A time whose minute and hour come first; <see langword="null"/> for now by the server's clock. Pass one time for several types so their buckets line up.</param>
    /// <param name="cancellationToken">Stops waiting for Redis.</param>
    /// <returns>The counts per minute and per hour.</returns>
    Task<DueTimeline> GetDueTimelineAsync(string taskType, DateTimeOffset? from = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads what the workers of a type finished in each of the last 60 minutes, by the Redis server's
    /// clock: successes, failed attempts and how late the tasks started. The figures are kept in
    /// Redis, one small key per type and minute written by the scripts that acknowledge and fail
    /// tasks (no extra round trip) and expiring after 24 hours, so every instance reads the same.
    /// One read-only script call (one MGET).
    /// </summary>
    /// <param name="taskType">The task type name.</param>
    /// <param name="until">A time whose minute comes last; <see langword="null"/> for now by the server's clock.</param>
    /// <param name="cancellationToken">Stops waiting for Redis.</param>
    /// <returns>Sixty minutes, oldest first.</returns>
    Task<TaskActivity> GetActivityAsync(string taskType, DateTimeOffset? until = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the Redis server's clock (TIME), by which every due time is kept and compared: what an
    /// operator compares with the application's own clock. On a Redis Cluster, one primary's clock.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for Redis.</param>
    /// <returns>The server's time, to the microsecond.</returns>
    Task<DateTimeOffset> GetServerTimeAsync(CancellationToken cancellationToken = default);
}
