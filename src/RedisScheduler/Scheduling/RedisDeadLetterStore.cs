using RedisScheduler.Storage;
using RedisScheduler.Storage.Scripts;

namespace RedisScheduler.Scheduling;

/// <summary>Reads and repairs the dead letters of each task type with deadletters.lua.</summary>
internal sealed class RedisDeadLetterStore(RedisConnection connection, TaskTypeNames names) : IDeadLetterStore
{
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(string taskType, int offset = 0, int count = 100, CancellationToken cancellationToken = default)
    {
        TaskTypeNames.ThrowIfInvalidName(taskType, nameof(taskType));
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 1000);
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await PartitionedReads.PageAsync(
            database, names, taskType, c => c.DeadLettered, (keys, skip, take) => DeadLettersScript.ListAsync(database, keys, skip, take), offset, count)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> RequeueAsync(string taskId, CancellationToken cancellationToken = default)
    {
        var (taskType, localId) = TaskId.Parse(taskId);
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await DeadLettersScript.RequeueAsync(database, names.GetKeys(taskType), localId).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<long> RequeueAllAsync(string taskType, CancellationToken cancellationToken = default)
    {
        TaskTypeNames.ThrowIfInvalidName(taskType, nameof(taskType));
        // Only letters dead before the call: one that fails again while this runs is not requeued twice.
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var time = await database.ExecuteAsync("TIME").WaitAsync(cancellationToken).ConfigureAwait(false);
        var serverNowMs = (((long)time[0]) * 1000) + (((long)time[1]) / 1000) + 1;
        var (partitions, _) = await PartitionedReads.CountAsync(database, names, taskType).WaitAsync(cancellationToken).ConfigureAwait(false);
        long total = 0;
        foreach (var keys in partitions)
        {
            long kept = 0;
            int requeued, keptNow;
            do
            {
                cancellationToken.ThrowIfCancellationRequested();
                (requeued, keptNow) = await DeadLettersScript.RequeueAllAsync(database, keys, serverNowMs, kept).WaitAsync(cancellationToken).ConfigureAwait(false);
                total += requeued;
                kept += keptNow;
            }
            while (requeued + keptNow == DeadLettersScript.RequeueAllBatch);
        }

        return total;
    }

    public async Task<bool> DeleteAsync(string taskId, CancellationToken cancellationToken = default)
    {
        var (taskType, localId) = TaskId.Parse(taskId);
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await DeadLettersScript.DeleteAsync(database, names.GetKeys(taskType), localId).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
