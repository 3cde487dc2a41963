using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Scheduling;

/// <summary>
/// Reads of a whole task type, whatever its partitions (docs/scaling.md): counts summed over them,
/// and pages that run through partition 0, then 1, and so on. Which partitions hold tasks is the
/// type's configured count or the largest ever recorded, read in the same round trip as partition
/// 0's counts, so a type that is not partitioned costs one command more than before and no round trip.
/// </summary>
internal static class PartitionedReads
{
    /// <summary>Every partition that may hold tasks of <paramref name="taskType"/>, and the counts of each, in partition order.</summary>
    public static async Task<(IReadOnlyList<TaskTypeKeys> Partitions, IReadOnlyList<TaskCounts> Counts)> CountAsync(IDatabase database, TaskTypeNames names, string taskType)
    {
        var first = names.GetKeys(taskType);
        var batch = database.CreateBatch();
        var highest = batch.SortedSetRangeByRankWithScoresAsync(first.PartitionCounts, -1, -1);
        var firstCounts = new QueuedTaskCounts(batch, first);
        batch.Execute();
        await Task.WhenAll(highest, firstCounts.Completion).ConfigureAwait(false);
        var count = PartitionRouter.CountFrom(highest.Result, names.PartitionsOf(taskType));
        if (count == 1)
        {
            return ([first], [firstCounts.Result(taskType)]);
        }

        var partitions = Enumerable.Range(0, count).Select(p => names.GetKeys(taskType, p)).ToList();
        batch = database.CreateBatch();
        var others = partitions.Skip(1).Select(keys => new QueuedTaskCounts(batch, keys)).ToList();
        batch.Execute();
        await Task.WhenAll(others.Select(c => c.Completion)).ConfigureAwait(false);
        return (partitions, [firstCounts.Result(taskType), .. others.Select(c => c.Result(taskType))]);
    }

    /// <summary>
    /// A page of <paramref name="count"/> items from <paramref name="offset"/> on, over the partitions
    /// in order: partition p's items come after all of partition p - 1's. Tasks that move between the
    /// count and the page may shift a page by a few, as they do on one partition between two pages.
    /// </summary>
    /// <param name="database">The connection.</param>
    /// <param name="names">The type names.</param>
    /// <param name="taskType">The task type.</param>
    /// <param name="size">How many items a partition holds, from its counts.</param>
    /// <param name="page">Reads a page of one partition.</param>
    /// <param name="offset">How many items to skip.</param>
    /// <param name="count">The most items to return.</param>
    public static async Task<IReadOnlyList<T>> PageAsync<T>(
        IDatabase database, TaskTypeNames names, string taskType, Func<TaskCounts, long> size, Func<TaskTypeKeys, int, int, Task<IReadOnlyList<T>>> page, int offset, int count)
    {
        if (names.PartitionsOf(taskType) == 1)
        {
            // Sent together: one round trip, as before partitions, unless the type was partitioned once.
            var first = names.GetKeys(taskType);
            var marked = database.KeyExistsAsync(first.PartitionCounts);
            var firstPage = await page(first, offset, count).ConfigureAwait(false);
            if (!await marked.ConfigureAwait(false))
            {
                return firstPage;
            }
        }

        var (partitions, counts) = await CountAsync(database, names, taskType).ConfigureAwait(false);
        var items = new List<T>(count);
        long skip = offset;
        for (var p = 0; p < partitions.Count && items.Count < count; p++)
        {
            var held = size(counts[p]);
            if (skip >= held)
            {
                skip -= held;
                continue;
            }

            items.AddRange(await page(partitions[p], (int)skip, count - items.Count).ConfigureAwait(false));
            skip = 0;
        }

        return items;
    }

    /// <summary>How many tasks of a type are in <paramref name="state"/>, from its counts.</summary>
    public static long InState(TaskCounts counts, TaskState state) => state switch
    {
        TaskState.Scheduled => counts.Scheduled,
        TaskState.Ready => counts.Ready,
        TaskState.Processing => counts.Processing,
        TaskState.DeadLettered => counts.DeadLettered,
        TaskState.Waiting => counts.Waiting,
        _ => counts.Failed,
    };
}
