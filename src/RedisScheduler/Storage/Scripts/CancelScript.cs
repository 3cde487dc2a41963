using StackExchange.Redis;

namespace RedisScheduler.Storage.Scripts;

/// <summary>Calls cancel.lua: removes a task that has not started.</summary>
internal static class CancelScript
{
    /// <returns>
    /// Whether the task was cancelled (not when it is unknown, finished, running or dead-lettered),
    /// and whether its continuations must hear of it: the type's outbox then has entries to deliver.
    /// </returns>
    public static async Task<(bool Cancelled, bool NotifyContinuations)> RunAsync(IDatabaseAsync database, TaskTypeKeys keys, string localId)
    {
        var reply = (int)await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Cancel, keys.All, [localId, keys.DoneChannel]).ConfigureAwait(false);
        return (reply > 0, reply == 2);
    }
}
