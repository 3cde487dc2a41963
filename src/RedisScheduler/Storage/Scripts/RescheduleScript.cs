using StackExchange.Redis;

namespace RedisScheduler.Storage.Scripts;

/// <summary>Calls reschedule.lua: moves a task that has not started to a new due time.</summary>
internal static class RescheduleScript
{
    /// <param name="database">The connection.</param>
    /// <param name="keys">The task type's keys.</param>
    /// <param name="localId">The task.</param>
    /// <param name="dueAtMs">The new due time, Unix ms; a time in the past means now.</param>
    /// <returns><see langword="false"/> when the task is unknown, finished, running or dead-lettered.</returns>
    public static async Task<bool> RunAsync(IDatabaseAsync database, TaskTypeKeys keys, string localId, long dueAtMs)
        => (int)await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Reschedule, keys.All, [localId, dueAtMs, keys.WakeChannel]).ConfigureAwait(false) == 1;
}
