using RedisScheduler.Storage;
using RedisScheduler.Storage.Scripts;
using StackExchange.Redis;

namespace RedisScheduler.Scheduling;

/// <summary>
/// The dashboard's chart data of a whole task type, whatever its partitions: partition 0 is read
/// first, at the server's instant, and every other partition at that same instant, so their minutes
/// line up before they are added together. A type that is not partitioned costs what it did before
/// plus one command in the same round trip (the recorded partition count).
/// </summary>
internal static class PartitionedCharts
{
    public static async Task<DueTimeline> TimelineAsync(IDatabase database, TaskTypeNames names, string taskType, DateTimeOffset? from)
    {
        var (first, others) = await PartitionsAsync(database, names, taskType, keys => DashboardScripts.TimelineAsync(database, keys, from)).ConfigureAwait(false);
        if (others.Count == 0)
        {
            return first;
        }

        var rest = await Task.WhenAll(others.Select(keys => DashboardScripts.TimelineAsync(database, keys, first.Now))).ConfigureAwait(false);
        return first with
        {
            Minutes = Sum(first.Minutes, rest.Select(t => t.Minutes)),
            Hours = Sum(first.Hours, rest.Select(t => t.Hours)),
        };
    }

    public static async Task<TaskActivity> ActivityAsync(IDatabase database, TaskTypeNames names, string taskType, DateTimeOffset? until)
    {
        var (first, others) = await PartitionsAsync(database, names, taskType, keys => DashboardScripts.ActivityAsync(database, keys, until)).ConfigureAwait(false);
        if (others.Count == 0)
        {
            return first;
        }

        var rest = await Task.WhenAll(others.Select(keys => DashboardScripts.ActivityAsync(database, keys, first.Now))).ConfigureAwait(false);
        var minutes = first.Minutes.Select((minute, i) => Add(minute, rest.Select(r => r.Minutes[i]))).ToList();
        return first with { Minutes = minutes };
    }

    /// <summary>Reads partition 0 with <paramref name="read"/>, and says which other partitions may hold tasks.</summary>
    private static async Task<(T First, IReadOnlyList<TaskTypeKeys> Others)> PartitionsAsync<T>(IDatabase database, TaskTypeNames names, string taskType, Func<TaskTypeKeys, Task<T>> read)
    {
        var keys = names.GetKeys(taskType);
        var count = PartitionRouter.ReadCountAsync(database, keys, names.PartitionsOf(taskType));
        var first = await read(keys).ConfigureAwait(false);
        return (first, [.. Enumerable.Range(1, await count.ConfigureAwait(false) - 1).Select(p => names.GetKeys(taskType, p))]);
    }

    private static List<long> Sum(IReadOnlyList<long> first, IEnumerable<IReadOnlyList<long>> others)
    {
        var sum = first.ToList();
        foreach (var other in others)
        {
            for (var i = 0; i < sum.Count && i < other.Count; i++)
            {
                sum[i] += other[i];
            }
        }

        return sum;
    }

    /// <summary>
    /// One minute of several partitions. The average lateness is weighted by each partition's finished
    /// attempts: a minute's record keeps the average, not how many tasks it was taken over.
    /// </summary>
    private static MinuteActivity Add(MinuteActivity first, IEnumerable<MinuteActivity> others)
    {
        var all = others.Prepend(first).ToList();
        var measured = all.Where(m => m.LatenessAverage is not null).ToList();
        var weight = measured.Sum(m => Math.Max(1, m.Succeeded + m.Failed));
        TimeSpan? average = measured.Count == 0
            ? null
            : TimeSpan.FromTicks(measured.Sum(m => m.LatenessAverage!.Value.Ticks * Math.Max(1, m.Succeeded + m.Failed)) / weight);
        TimeSpan? max = measured.Count == 0 ? null : measured.Max(m => m.LatenessMax);
        return first with { Succeeded = all.Sum(m => m.Succeeded), Failed = all.Sum(m => m.Failed), LatenessAverage = average, LatenessMax = max };
    }
}
