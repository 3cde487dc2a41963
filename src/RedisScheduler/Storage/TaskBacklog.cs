using StackExchange.Redis;

namespace RedisScheduler.Storage;

/// <summary>
/// How many tasks of a type are in each state, and how long the oldest one that is due has waited
/// to start, read in one pipelined round trip of O(1) and O(log n) commands (ZCARD, LLEN, TIME, the
/// head of the schedule and of each ready list), plus one HMGET of those heads' records when a
/// ready list is not empty: never a scan, whatever the backlog.
/// </summary>
internal sealed record TaskBacklog(long Scheduled, long Ready, long Processing, long DeadLettered, long Waiting, long Succeeded, long Failed, double OldestDueAgeSeconds)
{
    public static async Task<TaskBacklog> ReadAsync(IDatabase database, TaskTypeKeys keys)
    {
        var batch = database.CreateBatch();
        var scheduled = batch.SortedSetLengthAsync(keys.Due);
        var processing = batch.SortedSetLengthAsync(keys.InFlight);
        var dead = batch.SortedSetLengthAsync(keys.DeadLetters);
        var waiting = batch.SortedSetLengthAsync(keys.Waiting);
        var succeeded = batch.SortedSetLengthAsync(keys.Succeeded);
        var failed = batch.SortedSetLengthAsync(keys.Failed);
        RedisKey[] lists = [keys.ReadyHigh, keys.Ready, keys.ReadyLow];
        var lengths = lists.Select(list => batch.ListLengthAsync(list)).ToArray();
        var heads = lists.Select(list => batch.ListRangeAsync(list, 0, 0)).ToArray();
        var firstDue = batch.SortedSetRangeByRankWithScoresAsync(keys.Due, 0, 0);
        var time = batch.ExecuteAsync("TIME");
        batch.Execute();
        await Task.WhenAll(scheduled, processing, dead, waiting, succeeded, failed, firstDue, time, Task.WhenAll(lengths), Task.WhenAll(heads)).ConfigureAwait(false);

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

        return new TaskBacklog(
            scheduled.Result,
            lengths.Sum(l => l.Result),
            processing.Result,
            dead.Result,
            waiting.Result,
            succeeded.Result,
            failed.Result,
            oldest is { } at ? Math.Max(0, nowMs - at) / 1000.0 : 0);
    }
}
