using RedisScheduler.Storage;
using RedisScheduler.Storage.Scripts;
using StackExchange.Redis;

namespace RedisScheduler.Scheduling;

/// <summary>
/// Sends the schedule.lua calls of a scheduling call: the chunks of a batch, each to a partition of
/// its type, pipelined together; and, with <see cref="RedisSchedulerOptions.WaitForReplicas"/>, the
/// calls followed by WAIT on their master.
/// </summary>
internal static class ScheduleChunks
{
    /// <summary>Sends <paramref name="args"/> (one schedule.lua call each, every payload already known good); returns the ids in argument order.</summary>
    public static async Task<IReadOnlyList<string>> SendAsync(RedisConnection connection, PartitionRouter router, Type payloadType, List<RedisValue[]> args, CancellationToken cancellationToken)
    {
        // Each chunk is one schedule.lua call on one partition of a partitioned type, the partitions in
        // turn; chosen only now that every payload is known good, as routing may record the count in Redis.
        var chunkKeys = new TaskTypeKeys[args.Count];
        for (var i = 0; i < chunkKeys.Length; i++)
        {
            chunkKeys[i] = await router.ForNewTaskAsync(payloadType, cancellationToken).ConfigureAwait(false);
            ScheduleScript.MoveTo(args[i], chunkKeys[i]);
        }

        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        List<string> Ids(long[] firsts)
        {
            var ids = new List<string>(((args.Count - 1) * RedisTaskScheduler.BatchChunkSize) + ScheduleScript.TaskCount(args[^1]));
            for (var i = 0; i < firsts.Length; i++)
            {
                // Each call answers with the sequence number of its first task; the others follow it.
                for (var n = 0; n < ScheduleScript.TaskCount(args[i]); n++)
                {
                    ids.Add(TaskId.FormatGenerated(chunkKeys[i], "", firsts[i] + n));
                }
            }

            return ids;
        }

        if (connection.Replicas.IsEnabled)
        {
            // The chunks of one partition go to its master: one WAIT behind the last covers them all.
            var firsts = new long[args.Count];
            foreach (var partition in Enumerable.Range(0, args.Count).GroupBy(i => chunkKeys[i].IdType))
            {
                var chunks = partition.ToList();
                var replies = await ReplicatedAsync(
                    connection,
                    database,
                    chunkKeys[chunks[0]],
                    [.. chunks.Select(i => args[i])],
                    r => [.. chunks.SelectMany((c, k) => Enumerable.Range(0, ScheduleScript.TaskCount(args[c])).Select(n => TaskId.FormatGenerated(chunkKeys[c], "", (long)r[k] + n)))],
                    cancellationToken).ConfigureAwait(false);
                for (var k = 0; k < chunks.Count; k++)
                {
                    firsts[chunks[k]] = (long)replies[k];
                }
            }

            return Ids(firsts);
        }

        // Issued together, the calls share the multiplexer's pipeline: Redis runs one while the next
        // is still being written, and no call waits for the previous one's reply.
        var calls = new Task<long>[args.Count];
        for (var i = 0; i < calls.Length; i++)
        {
            calls[i] = ScheduleScript.RunAsync(database, chunkKeys[i], args[i]);
        }

        return Ids(await Task.WhenAll(calls).WaitAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// <see cref="RedisSchedulerOptions.WaitForReplicas"/>: the schedule.lua calls on the type's master,
    /// then WAIT there (<see cref="ReplicaWait"/>); a shortfall throws, naming the tasks written.
    /// </summary>
    public static async Task<RedisResult[]> ReplicatedAsync(RedisConnection connection, IDatabase database, TaskTypeKeys keys, IReadOnlyList<RedisValue[]> args, Func<RedisResult[], IReadOnlyList<string>> ids, CancellationToken cancellationToken)
    {
        var calls = args.Select(a => new ScriptCall(SchedulerScripts.Instance.Schedule, a)).ToList();
        var replicated = await connection.Replicas.EvaluateAsync(database.Multiplexer, keys, calls).WaitAsync(cancellationToken).ConfigureAwait(false);
        connection.Replicas.ThrowIfShort(replicated, () => ids(replicated.Replies));
        return replicated.Replies;
    }
}
