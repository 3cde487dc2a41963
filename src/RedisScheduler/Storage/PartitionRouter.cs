using System.Collections.Concurrent;
using StackExchange.Redis;

namespace RedisScheduler.Storage;

/// <summary>
/// Chooses the partition a new task of a partitioned type goes to (see docs/scaling.md): round-robin
/// for generated ids, and always the same one for a task key, so a key stays unique across the
/// partitions. A type that is not partitioned gets its own keys back at once, with no Redis command:
/// that path is the one every type took before partitions existed. Before the first task of a
/// partitioned type leaves this process, the count is recorded in the type's
/// <see cref="TaskTypeKeys.PartitionCounts"/>, from which workers learn to claim from every partition
/// ever used.
/// </summary>
internal sealed class PartitionRouter(TaskTypeNames names, RedisConnection connection)
{
    private readonly ConcurrentDictionary<string, Task> recorded = new(StringComparer.Ordinal);
    private uint next;

    /// <summary>The keys for a new task with a generated id (the partitions in turn).</summary>
    public ValueTask<TaskTypeKeys> ForNewTaskAsync(Type payloadType, CancellationToken cancellationToken)
        => RouteAsync(payloadType, null, cancellationToken);

    /// <summary>The keys for the task of <paramref name="taskKey"/>: the same partition every time.</summary>
    public ValueTask<TaskTypeKeys> ForTaskKeyAsync(Type payloadType, string taskKey, CancellationToken cancellationToken)
        => RouteAsync(payloadType, taskKey, cancellationToken);

    /// <summary>The synchronous <see cref="ForNewTaskAsync"/>, for the synchronous API.</summary>
    public TaskTypeKeys ForNewTask(Type payloadType)
    {
        var keys = names.GetKeys(payloadType);
        var partitions = names.PartitionsOf(keys.TaskType);
        if (partitions == 1)
        {
            return keys;
        }

        RecordAsync(keys, partitions).GetAwaiter().GetResult();
        return names.GetKeys(keys.TaskType, Next(partitions));
    }

    /// <summary>The largest partition count ever recorded for the type, and at least <paramref name="configured"/>: how many partitions hold its tasks.</summary>
    public static async Task<int> ReadCountAsync(IDatabaseAsync database, TaskTypeKeys keys, int configured)
        => CountFrom(await database.SortedSetRangeByRankWithScoresAsync(keys.PartitionCounts, -1, -1).ConfigureAwait(false), configured);

    /// <summary>How many partitions hold the type's tasks, from the highest entry of its recorded counts (<c>ZRANGE … -1 -1 WITHSCORES</c>).</summary>
    public static int CountFrom(SortedSetEntry[] highest, int configured)
        => highest is [var entry] ? Math.Max(configured, (int)Math.Min(entry.Score, TaskPartitions.Max)) : configured;

    /// <summary>Records <paramref name="partitions"/> among the counts used for the type (idempotent: ZADD of the count as member and score).</summary>
    public static Task RecordCountAsync(IDatabaseAsync database, TaskTypeKeys keys, int partitions)
        => database.SortedSetAddAsync(keys.PartitionCounts, partitions, partitions);

    private async ValueTask<TaskTypeKeys> RouteAsync(Type payloadType, string? taskKey, CancellationToken cancellationToken)
    {
        var keys = names.GetKeys(payloadType);
        var partitions = names.PartitionsOf(keys.TaskType);
        if (partitions == 1)
        {
            return keys;
        }

        await RecordAsync(keys, partitions).WaitAsync(cancellationToken).ConfigureAwait(false);
        var partition = taskKey is null ? Next(partitions) : TaskPartitions.ForKey(taskKey, partitions);
        return names.GetKeys(keys.TaskType, partition);
    }

    private int Next(int partitions) => (int)(Interlocked.Increment(ref next) % (uint)partitions);

    /// <summary>Once per type and process; a failed attempt is forgotten, so the next task tries again.</summary>
    private Task RecordAsync(TaskTypeKeys keys, int partitions)
    {
        var task = recorded.GetOrAdd(keys.TaskType, _ => RecordOnceAsync(keys, partitions));
        if (task.IsFaulted || task.IsCanceled)
        {
            recorded.TryRemove(new KeyValuePair<string, Task>(keys.TaskType, task));
            task = recorded.GetOrAdd(keys.TaskType, _ => RecordOnceAsync(keys, partitions));
        }

        return task;
    }

    private async Task RecordOnceAsync(TaskTypeKeys keys, int partitions)
    {
        var database = await connection.GetDatabaseAsync(CancellationToken.None).ConfigureAwait(false);
        await RecordCountAsync(database, keys, partitions).ConfigureAwait(false);
    }
}
