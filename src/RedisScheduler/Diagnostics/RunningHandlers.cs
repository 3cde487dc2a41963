using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RedisScheduler.Diagnostics;

/// <summary>
/// <c>redis_scheduler.tasks.running</c>, the handlers running now in this process per task type: an
/// observable up-down counter over a count each worker keeps. Observed rather than added to, because
/// the two measurements per run an UpDownCounter takes were a third of what a listening SDK did per
/// task, and in a process whose code has not tiered up yet (a worker that just started draining a
/// backlog) every one of them runs slowly; the count itself is an interlocked add.
/// </summary>
internal sealed class RunningHandlers : IDisposable
{
    private static readonly ConcurrentDictionary<RunningHandlers, byte> Counts = new();

    private static readonly ObservableUpDownCounter<long> Instrument = SchedulerMetrics.Meter.CreateObservableUpDownCounter(
        "redis_scheduler.tasks.running", Observe, "{task}", "Handlers running now in this process.");

    private readonly string taskType;
    private int running;

    private RunningHandlers(string taskType) => this.taskType = taskType;

    /// <summary>Counts the handlers of one worker's task type (a partition of a type: one each) while it runs; dispose to stop.</summary>
    public static RunningHandlers Register(string taskType)
    {
        _ = Instrument;
        var handlers = new RunningHandlers(taskType);
        Counts.TryAdd(handlers, 0);
        return handlers;
    }

    public void Started() => Interlocked.Increment(ref running);

    public void Ended() => Interlocked.Decrement(ref running);

    public void Dispose() => Counts.TryRemove(this, out _);

    // Two workers of a type in one process (or the partitions of a partitioned type) report one sum.
    private static IEnumerable<Measurement<long>> Observe()
        => Counts.Keys.GroupBy(handlers => handlers.taskType).Select(type => new Measurement<long>(
            type.Sum(handlers => (long)Volatile.Read(ref handlers.running)),
            SchedulerMetrics.Tags(type.Key, RedisSchedulerDiagnostics.ProcessOperation)));
}
