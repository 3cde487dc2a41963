namespace RedisScheduler.LoadTest.Agent;

/// <summary>
/// One system under test (RedisScheduler, Hangfire), seen the same way by the agent's command loop:
/// a client that schedules tasks, or a worker whose no-op handler calls <see cref="HandlerRecorder.Record"/>.
/// </summary>
internal interface ISystemAgent : IAsyncDisposable
{
    /// <summary>The system and the versions of the libraries it runs on, for the report.</summary>
    string Description { get; }

    /// <summary>Whether <see cref="ScheduleAsync"/> blocks its thread (a synchronous API): concurrent callers then get threads of their own.</summary>
    bool BlocksCallingThread { get; }

    /// <summary>Whether the system has a batch API; without one the coordinator skips the batch mode.</summary>
    bool SupportsBatch { get; }

    /// <summary>Connects and warms up (JIT, scripts), so the first measured call is not the first call.</summary>
    Task PrepareAsync(AgentArguments arguments);

    ValueTask ScheduleAsync(LoadOrder order, DateTimeOffset dueAt);

    /// <summary>
    /// The system's synchronous scheduling call (W1 <c>sync</c>), for callers that cannot await; by
    /// default the asynchronous one waited on.
    /// </summary>
    void Schedule(LoadOrder order, DateTimeOffset dueAt) => ScheduleAsync(order, dueAt).AsTask().GetAwaiter().GetResult();

    Task ScheduleBatchAsync(IReadOnlyList<(DateTimeOffset DueAt, LoadOrder Order)> tasks);

    /// <summary>Starts the worker host: from now on, due tasks run the handler.</summary>
    Task StartWorkerAsync();

    Task StopWorkerAsync(TimeSpan timeout);
}
