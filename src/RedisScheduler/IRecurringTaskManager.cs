namespace RedisScheduler;

/// <summary>
/// Adds, changes, removes and lists recurring schedules at run time. Each occurrence becomes one
/// ordinary task (with retries and dead letters), exactly once however many instances run. Schedules
/// known at start-up can be registered with <c>AddRecurringTask</c> on the builder instead.
/// Registered by <c>services.AddRedisScheduler()</c>; thread-safe.
/// </summary>
public interface IRecurringTaskManager
{
    /// <summary>Adds or replaces a schedule driven by a cron expression.</summary>
    /// <param name="name">1 to 100 characters without <c>|</c> or control characters; unique per task type.</param>
    /// <param name="cronExpression">Five fields (minute to day of week), or six with seconds first, as Cronos reads them.</param>
    /// <param name="payload">The payload of every occurrence.</param>
    /// <param name="options">Time zone and misfire policy; UTC and <see cref="MisfirePolicy.RunOnce"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops waiting for Redis.</param>
    /// <returns><see langword="true"/> if the schedule was added or changed; <see langword="false"/> if the same one was there (its next occurrence is kept).</returns>
    /// <exception cref="ArgumentException">The name or the cron expression is invalid.</exception>
    Task<bool> AddOrUpdateAsync<T>(string name, string cronExpression, T payload, RecurringTaskOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Adds or replaces a schedule that fires every <paramref name="interval"/>, first one interval from now.</summary>
    /// <param name="name">1 to 100 characters without <c>|</c> or control characters; unique per task type.</param>
    /// <param name="interval">From 1 second to 366 days.</param>
    /// <param name="payload">The payload of every occurrence.</param>
    /// <param name="options">The misfire policy; <see cref="MisfirePolicy.RunOnce"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops waiting for Redis.</param>
    /// <returns><see langword="true"/> if the schedule was added or changed; <see langword="false"/> if the same one was there.</returns>
    Task<bool> AddOrUpdateAsync<T>(string name, TimeSpan interval, T payload, RecurringTaskOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Removes a schedule; tasks already made from its occurrences stay.</summary>
    /// <param name="taskType">The task type name.</param>
    /// <param name="name">The schedule's name.</param>
    /// <param name="cancellationToken">Stops waiting for Redis.</param>
    /// <returns><see langword="true"/> if it existed.</returns>
    Task<bool> RemoveAsync(string taskType, string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Pauses a schedule: it makes no occurrences until <see cref="ResumeAsync"/>, and stays paused
    /// across restarts and when <c>AddRecurringTask</c> or <see cref="AddOrUpdateAsync{T}(string, string, T, RecurringTaskOptions?, CancellationToken)"/>
    /// defines it again (the pause is an operator's decision; a deployment does not undo it).
    /// Tasks already made from its occurrences stay.
    /// </summary>
    /// <param name="taskType">The task type name.</param>
    /// <param name="name">The schedule's name.</param>
    /// <param name="cancellationToken">Stops waiting for Redis; the schedule may still have been paused.</param>
    /// <returns><see langword="true"/> if the schedule exists (and is now paused, whether or not it was before); <see langword="false"/> if there is none.</returns>
    Task<bool> PauseAsync(string taskType, string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Resumes a paused schedule from the occurrence that was next when it was paused. Occurrences
    /// missed meanwhile are misfires: its <see cref="MisfirePolicy"/> decides whether they run once
    /// together or are skipped, as after an outage.
    /// </summary>
    /// <param name="taskType">The task type name.</param>
    /// <param name="name">The schedule's name.</param>
    /// <param name="cancellationToken">Stops waiting for Redis; the schedule may still have been resumed.</param>
    /// <returns><see langword="true"/> if the schedule exists (and now runs, whether or not it was paused); <see langword="false"/> if there is none.</returns>
    Task<bool> ResumeAsync(string taskType, string name, CancellationToken cancellationToken = default);

    /// <summary>Lists the schedules of a task type with their next occurrences.</summary>
    /// <param name="taskType">The task type name.</param>
    /// <param name="cancellationToken">Stops waiting for Redis.</param>
    /// <returns>The schedules, by name.</returns>
    Task<IReadOnlyList<RecurringTaskInfo>> ListAsync(string taskType, CancellationToken cancellationToken = default);
}
