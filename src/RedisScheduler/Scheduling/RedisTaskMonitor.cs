using RedisScheduler.Registry;
using RedisScheduler.Storage;
using RedisScheduler.Storage.Scripts;

namespace RedisScheduler.Scheduling;

/// <summary>Counts with ZCARD/LLEN in one pipelined round trip; pages with list.lua; chart data with timeline.lua and activity.lua.</summary>
internal sealed class RedisTaskMonitor(RedisConnection connection, TaskTypeNames names, RegistryKeys registry) : ITaskMonitor
{
    public async Task<TaskCounts> GetCountsAsync(string taskType, CancellationToken cancellationToken = default)
    {
        TaskTypeNames.ThrowIfInvalidName(taskType, nameof(taskType));
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var (_, counts) = await PartitionedReads.CountAsync(database, names, taskType).WaitAsync(cancellationToken).ConfigureAwait(false);
        return counts.Count == 1 ? counts[0] : QueuedTaskCounts.Sum(taskType, counts);
    }

    public async Task<IReadOnlyList<TaskInfo>> ListAsync(string taskType, TaskState state, int offset = 0, int count = 100, CancellationToken cancellationToken = default)
    {
        ThrowIfBadPage(taskType, offset, count);
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await PartitionedReads.PageAsync(
            database, names, taskType, c => PartitionedReads.InState(c, state), (keys, skip, take) => ListScript.ListAsync(database, keys, state, skip, take), offset, count)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SucceededTask>> ListSucceededAsync(string taskType, int offset = 0, int count = 100, CancellationToken cancellationToken = default)
    {
        ThrowIfBadPage(taskType, offset, count);
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await PartitionedReads.PageAsync(
            database, names, taskType, c => c.Succeeded, (keys, skip, take) => ListScript.ListSucceededAsync(database, keys, skip, take), offset, count)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<DueTimeline> GetDueTimelineAsync(string taskType, DateTimeOffset? from = null, CancellationToken cancellationToken = default)
    {
        TaskTypeNames.ThrowIfInvalidName(taskType, nameof(taskType));
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await PartitionedCharts.TimelineAsync(database, names, taskType, from).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<TaskActivity> GetActivityAsync(string taskType, DateTimeOffset? until = null, CancellationToken cancellationToken = default)
    {
        TaskTypeNames.ThrowIfInvalidName(taskType, nameof(taskType));
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await PartitionedCharts.ActivityAsync(database, names, taskType, until).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<DateTimeOffset> GetServerTimeAsync(CancellationToken cancellationToken = default)
    {
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var time = (long[])(await database.ExecuteAsync("TIME").WaitAsync(cancellationToken).ConfigureAwait(false))!;
        return DateTimeOffset.UnixEpoch.AddTicks((time[0] * TimeSpan.TicksPerSecond) + (time[1] * TimeSpan.TicksPerMicrosecond));
    }

    public Task<IReadOnlyList<WorkerInfo>> ListWorkersAsync(CancellationToken cancellationToken = default)
        => WorkerRegistryReader.ListWorkersAsync(connection, registry, cancellationToken);

    public Task<IReadOnlyList<string>> ListTaskTypesAsync(CancellationToken cancellationToken = default)
        => WorkerRegistryReader.ListTaskTypesAsync(connection, registry, cancellationToken);

    private static void ThrowIfBadPage(string taskType, int offset, int count)
    {
        TaskTypeNames.ThrowIfInvalidName(taskType, nameof(taskType));
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 1000);
    }
}
