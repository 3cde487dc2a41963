namespace RedisScheduler;

/// <summary>
/// One live instance that runs task handlers, as it registered itself and last reported in its
/// heartbeat (see <see cref="ITaskMonitor.ListWorkersAsync"/>).
/// </summary>
/// <param name="InstanceId">Unique per process run; a restarted process registers under a new id.</param>
/// <param name="MachineName">The host's machine name (in a container, usually the container's).</param>
/// <param name="ProcessId">The operating system's process id.</param>
/// <param name="LibraryVersion">The RedisScheduler version the instance runs.</param>
/// <param name="TaskTypes">The task types it handles, with their concurrency.</param>
/// <param name="StartedAt">When its host started, by the instance's own clock.</param>
/// <param name="LastHeartbeat">When its last heartbeat reached Redis, by the Redis server's clock.</param>
/// <param name="ExpiresAt">When it disappears from the list unless it sends another heartbeat (server clock).</param>
/// <param name="RunningTasks">How many tasks it was running at its last heartbeat.</param>
public sealed record WorkerInfo(
    string InstanceId,
    string MachineName,
    int ProcessId,
    string LibraryVersion,
    IReadOnlyList<WorkerTaskType> TaskTypes,
    DateTimeOffset StartedAt,
    DateTimeOffset LastHeartbeat,
    DateTimeOffset ExpiresAt,
    int RunningTasks)
{
    /// <summary>
    /// The ids of tasks it was running at its last heartbeat, refreshed at each one: all of them when
    /// <see cref="RunningTasks"/> is at most 50, otherwise a sample of 50 (each handled type gets its
    /// share), so a busy instance's registration stays small. Empty when it runs none, or when the
    /// instance runs a version that did not report them. A task that ends shows here until the next heartbeat.
    /// </summary>
    public IReadOnlyList<string> RunningTaskIds { get; init; } = [];
}
