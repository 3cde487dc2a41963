using StackExchange.Redis;

namespace RedisScheduler.Storage;

/// <summary>
/// How many tasks of a type are in each state, and how long the oldest one that is due has waited
/// to start, read in one pipelined round trip of O(1) and O(log n) commands (ZCARD, LLEN, TIME, the
/// head of the schedule and of each ready list), plus one HMGET of those heads' records when a
/// ready list is not empty: never a scan, whatever the backlog.
/// </summary>
internal sealed record TaskBacklog(TaskCounts Counts, double OldestDueAgeSeconds)
{
    public static async Task<TaskBacklog> ReadAsync(IDatabase database, TaskTypeKeys keys)
    {
        var batch = database.CreateBatch();
        var counts = new QueuedTaskCounts(batch, keys);
        RedisKey[] lists = [keys.ReadyHigh, keys.Ready, keys.ReadyLow];
        var heads = lists.Select(list => batch.ListRangeAsync(list, 0, 0)).ToArray();
        var firstDue = batch.SortedSetRangeByRankWithScoresAsync(keys.Due, 0, 0);
        var time = batch.ExecuteAsync("TIME");
        batch.Execute();
        await Task.WhenAll(counts.Completion, firstDue, time, Task.WhenAll(heads)).ConfigureAwait(false);

        var clock = (RedisResult[])time.Result!;
        var nowMs = ((long)clock[0] * 1000) + ((long)clock[1] / 1000);
        // Due and not started: the head of the schedule once its time has come (no claim has
        // promoted it yet), and the heads of the ready lists, due at their records' due times.
        long? oldest = firstDue.Result is [var head] && head.Score <= nowMs ? (long)head.Score : null;
        var ready = heads.SelectMany(h => h.Result).Where(id => !id.IsNull).Select(id => (RedisValue)(string)id!).ToArray();
        if (ready.Length > 0)
        {
            foreach (var record in await database.HashGetAsync(keys.Tasks, ready).ConfigureAwait(false))
            {
                if (!record.IsNull && TaskRecord.Parse((byte[])record!).DueAtMs is var due && (oldest is null || due < oldest))
                {
                    oldest = due;
                }
            }
        }

        return new TaskBacklog(counts.Result(keys.TaskType), oldest is { } at ? Math.Max(0, nowMs - at) / 1000.0 : 0);
    }
}
