using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Dispatching;

/// <summary>
/// Runs dispatch.lua: moves due tasks of one type to its ready list. Workers do the same inside
/// claim.lua (one round trip instead of two; see docs/design.md); this standalone form serves tools
/// and the benchmark that compares the two.
/// </summary>
internal static class DueTaskDispatcher
{
    /// <returns>How many tasks moved, the next due time (Unix ms, -1 when none) and the server's clock.</returns>
    public static async Task<(int Moved, long NextDueMs, long NowMs)> DispatchAsync(IDatabaseAsync database, TaskTypeKeys keys, int batchSize)
    {
        var result = (RedisResult[])(await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Dispatch, keys.All, [batchSize]).ConfigureAwait(false))!;
        return ((int)result[0], (long)result[1], (long)result[2]);
    }
}
