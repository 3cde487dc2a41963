using StackExchange.Redis;

namespace RedisScheduler.Storage.Scripts;

/// <summary>Calls define.lua: adds, changes or removes a recurring schedule of one type.</summary>
internal static class DefineScript
{
    /// <summary>Stores a schedule's definition; <see langword="false"/> when the same one was there already (its next occurrence is then kept).</summary>
    /// <param name="database">The connection.</param>
    /// <param name="keys">The task type's keys.</param>
    /// <param name="name">The schedule's name.</param>
    /// <param name="definitionJson">The definition, payload included.</param>
    /// <param name="firstOccurrenceMs">Its first occurrence from now (Unix ms), or <see langword="null"/> when it never fires.</param>
    public static async Task<bool> SetAsync(IDatabaseAsync database, TaskTypeKeys keys, string name, string definitionJson, long? firstOccurrenceMs)
        => (int)await SchedulerScripts.EvaluateAsync(
            database,
            SchedulerScripts.Instance.Define,
            keys.All,
            ["set", name, definitionJson, firstOccurrenceMs is { } first ? first : RedisValue.EmptyString, keys.WakeChannel]).ConfigureAwait(false) == 1;

    /// <summary>Removes a schedule; <see langword="false"/> when there was none.</summary>
    public static async Task<bool> RemoveAsync(IDatabaseAsync database, TaskTypeKeys keys, string name)
        => (int)await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Define, keys.All, ["remove", name]).ConfigureAwait(false) == 1;
}
