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

    /// <summary>The counts, once <see cref="Completion"/> has completed.</summary>
    public TaskCounts Result(string taskType)
        => new(taskType, scheduled.Result, ready.Sum(r => r.Result), processing.Result, dead.Result, waiting.Result, succeeded.Result, failed.Result);
}
