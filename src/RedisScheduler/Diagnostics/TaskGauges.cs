using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using RedisScheduler.Storage;

namespace RedisScheduler.Diagnostics;

/// <summary>
/// The observable gauges per task type this process handles: <c>redis_scheduler.tasks</c> (tasks in
/// each state) and <c>redis_scheduler.queue.oldest_due.age</c>. A collection never waits for Redis:
/// it reports the last reading (<see cref="TaskBacklog"/>) and, when that is older than
/// <see cref="RefreshInterval"/>, starts a new one in the background. Nothing is read while nobody
/// collects.
/// </summary>
internal static class TaskGauges
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    private static readonly ConcurrentDictionary<Source, byte> Sources = new();

    private static readonly ObservableGauge<long> Tasks = SchedulerMetrics.Meter.CreateObservableGauge(
        "redis_scheduler.tasks", ObserveTasks, "{task}", "Tasks of each type in each state (redis_scheduler.task.state), read from Redis at most every 5 s.");

    private static readonly ObservableGauge<double> OldestDueAge = SchedulerMetrics.Meter.CreateObservableGauge(
        "redis_scheduler.queue.oldest_due.age", ObserveAge, "s", "How long the oldest task that is due has waited to start (0 when none waits), read from Redis at most every 5 s.");

    /// <summary>Reports the gauges of one worker's task type while it runs; dispose to stop.</summary>
    public static IDisposable Register(TaskTypeKeys keys, RedisConnection connection, TimeProvider time, ILogger logger)
    {
        _ = (Tasks, OldestDueAge);
        var source = new Source(keys, connection, time, logger);
        Sources.TryAdd(source, 0);
        return source;
    }

    private static IEnumerable<Measurement<long>> ObserveTasks()
    {
        foreach (var (source, reading) in Readings())
        {
            yield return Count(source, "scheduled", reading.Counts.Scheduled);
            yield return Count(source, "ready", reading.Counts.Ready);
            yield return Count(source, "processing", reading.Counts.Processing);
            yield return Count(source, "dead_lettered", reading.Counts.DeadLettered);
            yield return Count(source, "waiting", reading.Counts.Waiting);
            yield return Count(source, "succeeded", reading.Counts.Succeeded);
            yield return Count(source, "failed", reading.Counts.Failed);
        }
    }

    private static IEnumerable<Measurement<double>> ObserveAge()
        => Readings().Select(r => new Measurement<double>(r.Reading.OldestDueAgeSeconds, Tags(r.Source)));

    private static Measurement<long> Count(Source source, string state, long value)
    {
        var tags = Tags(source);
        tags.Add(RedisSchedulerDiagnostics.StateTag, state);
        return new(value, tags);
    }

    private static TagList Tags(Source source) => new()
    {
        { SchedulerActivities.SystemTag, RedisSchedulerDiagnostics.MessagingSystem },
        { SchedulerActivities.DestinationTag, source.Keys.TaskType },
    };

    private static List<(Source Source, TaskBacklog Reading)> Readings()
    {
        var readings = new List<(Source, TaskBacklog)>();
        // Two workers of one type and prefix in one process report it once; the partitions of a
        // partitioned type (a source each) report as one type: counts summed, the oldest wait.
        foreach (var type in Sources.Keys.DistinctBy(s => (string)s.Keys.Tasks!).GroupBy(s => (s.Keys.Prefix, s.Keys.TaskType)))
        {
            var parts = type.Select(s => (Source: s, Reading: s.Observe())).Where(r => r.Reading is not null).ToList();
            if (parts.Count == 1)
            {
                readings.Add((parts[0].Source, parts[0].Reading!));
            }
            else if (parts.Count > 1)
            {
                var counts = QueuedTaskCounts.Sum(type.Key.TaskType, parts.Select(r => r.Reading!.Counts));
                readings.Add((parts[0].Source, new TaskBacklog(counts, parts.Max(r => r.Reading!.OldestDueAgeSeconds))));
            }
        }

        return readings;
    }

    private sealed class Source(TaskTypeKeys keys, RedisConnection connection, TimeProvider time, ILogger logger) : IDisposable
    {
        private TaskBacklog? last;
        private long readAt;
        private int refreshing;

        public TaskTypeKeys Keys => keys;

        /// <summary>The last reading; starts a new one if it is stale and none is on its way.</summary>
        public TaskBacklog? Observe()
        {
            if ((Volatile.Read(ref last) is null || time.GetElapsedTime(Volatile.Read(ref readAt)) >= RefreshInterval)
                && Interlocked.CompareExchange(ref refreshing, 1, 0) == 0)
            {
                _ = RefreshAsync();
            }

            return Volatile.Read(ref last);
        }

        public void Dispose() => Sources.TryRemove(this, out _);

        private async Task RefreshAsync()
        {
            try
            {
                var database = await connection.GetDatabaseAsync(CancellationToken.None).ConfigureAwait(false);
                var reading = await TaskBacklog.ReadAsync(database, keys).ConfigureAwait(false);
                Volatile.Write(ref readAt, time.GetTimestamp());
                Volatile.Write(ref last, reading);
            }
            catch (Exception e)
            {
                // The gauges keep their last values; the next collection tries again.
                Log.GaugeReadFailed(logger, e, keys.TaskType);
            }
            finally
            {
                Volatile.Write(ref refreshing, 0);
            }
        }
    }
}
