using StackExchange.Redis;

namespace RedisScheduler.Storage;

/// <summary>
/// The counts of one task type's states, queued on a batch as ZCARD and LLEN of its keys: the one
/// place that knows which key holds which state, for <see cref="ITaskMonitor.GetCountsAsync"/> and
/// the gauges alike, so the two always agree.
/// </summary>
internal sealed class QueuedTaskCounts
{
    private readonly Task<long> scheduled;
    private readonly Task<long>[] ready;
    private readonly Task<long> processing;
    private readonly Task<long> dead;
    private readonly Task<long> waiting;
    private readonly Task<long> succeeded;
    private readonly Task<long> failed;

    public QueuedTaskCounts(IBatch batch, TaskTypeKeys keys)
    {
        scheduled = batch.SortedSetLengthAsync(keys.Due);
        ready = [batch.ListLengthAsync(keys.ReadyHigh), batch.ListLengthAsync(keys.Ready), batch.ListLengthAsync(keys.ReadyLow)];
        processing = batch.SortedSetLengthAsync(keys.InFlight);
        dead = batch.SortedSetLengthAsync(keys.DeadLetters);
        waiting = batch.SortedSetLengthAsync(keys.Waiting);
        succeeded = batch.SortedSetLengthAsync(keys.Succeeded);
        failed = batch.SortedSetLengthAsync(keys.Failed);
        Completion = Task.WhenAll([scheduled, .. ready, processing, dead, waiting, succeeded, failed]);
    }

    /// <summary>Completes when every count has arrived (after the batch is executed).</summary>
    public Task Completion { get; }

    /// <summary>The counts of a partitioned type: each state summed over its partitions.</summary>
    public static TaskCounts Sum(string taskType, IEnumerable<TaskCounts> partitions)
        => partitions.Aggregate(
            new TaskCounts(taskType, 0, 0, 0, 0, 0, 0, 0),
            (sum, p) => new(taskType, sum.Scheduled + p.Scheduled, sum.Ready + p.Ready, sum.Processing + p.Processing, sum.DeadLettered + p.DeadLettered, sum.Waiting + p.Waiting, sum.Succeeded + p.Succeeded, sum.Failed + p.Failed));

    /// <summary>The counts, once <see cref="Completion"/> has completed.</summary>
    public TaskCounts Result(string taskType)
        => new(taskType, scheduled.Result, ready.Sum(r => r.Result), processing.Result, dead.Result, waiting.Result, succeeded.Result, failed.Result);
}
