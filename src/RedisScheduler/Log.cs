using Microsoft.Extensions.Logging;

namespace RedisScheduler;

/// <summary>
/// Every log message of the library. Event ids are stable: users' dashboards and alerts key on them.
/// What one partition of a partitioned type logs (its claims, leases, outcomes and outbox) names the
/// partition as task ids do, <c>type#p</c> (<see cref="Storage.TaskTypeKeys.IdType"/>), in
/// <c>{TaskType}</c>; partition 0, and every type that is not partitioned, is the bare type, so
/// <c>{TaskType}/{LocalId}</c> is always the task's id.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Worker for task type '{TaskType}' started with concurrency {Concurrency}")]
    public static partial void WorkerStarted(ILogger logger, string taskType, int concurrency);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Worker for task type '{TaskType}' stopped")]
    public static partial void WorkerStopped(ILogger logger, string taskType);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Task {TaskId} failed on attempt {Attempt}; retrying in {RetryDelay}")]
    public static partial void TaskFailed(ILogger logger, Exception exception, string taskId, int attempt, TimeSpan retryDelay);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Task {TaskType}/{LocalId} lost its lease (it ran out or the task was handed back); this worker did not finish it, another worker may run it again")]
    public static partial void LeaseLost(ILogger logger, string taskType, string localId);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "Redis call of the worker for task type '{TaskType}' failed; retrying in {RetryDelay}")]
    public static partial void RedisCallFailed(ILogger logger, Exception exception, string taskType, TimeSpan retryDelay);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Task {TaskType}/{LocalId} was given back unfinished because the worker is stopping")]
    public static partial void TaskReleased(ILogger logger, string taskType, string localId);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "Task {TaskId} moved to the dead letters after attempt {Attempt} (permanent failure: {Permanent})")]
    public static partial void TaskDeadLettered(ILogger logger, Exception exception, string taskId, int attempt, bool permanent);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Task {TaskId} was still running {ShutdownTimeout} after the host began stopping; it was handed back for another worker")]
    public static partial void HandlerOverranShutdown(ILogger logger, string taskId, TimeSpan shutdownTimeout);

    [LoggerMessage(EventId = 9, Level = LogLevel.Error, Message = "Could not reach Redis to finish tasks of type '{TaskType}' for {LeaseDuration}; their leases will run out and they will be handed out again")]
    public static partial void FinishingAbandoned(ILogger logger, Exception exception, string taskType, TimeSpan leaseDuration);

    [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "Recurring schedule '{Name}' of task type '{TaskType}' cannot be read by this instance; it is stopped until it is defined again")]
    public static partial void RecurringScheduleUnreadable(ILogger logger, Exception exception, string taskType, string name);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Could not register recurring schedules at start-up; retrying in {RetryDelay}")]
    public static partial void RecurringRegistrationFailed(ILogger logger, Exception exception, TimeSpan retryDelay);

    [LoggerMessage(EventId = 12, Level = LogLevel.Error, Message = "The worker for task type '{TaskType}' failed while reporting the outcome of task {LocalId}; its lease will run out and it will be handed out again")]
    public static partial void OutcomeNotReported(ILogger logger, Exception exception, string taskType, string localId);

    [LoggerMessage(EventId = 13, Level = LogLevel.Error, Message = "Acknowledging {Count} tasks of type '{TaskType}' failed unexpectedly; any not acknowledged will be handed out again when their leases run out")]
    public static partial void AcknowledgementFailed(ILogger logger, Exception exception, string taskType, int count);

    [LoggerMessage(EventId = 14, Level = LogLevel.Error, Message = "The worker for task type '{TaskType}' failed in its own bookkeeping after task {LocalId} was acknowledged; later acknowledgements go on")]
    public static partial void AcknowledgementBookkeepingFailed(ILogger logger, Exception exception, string taskType, string localId);

    [LoggerMessage(EventId = 15, Level = LogLevel.Error, Message = "The worker for task type '{TaskType}' could not start {Count} tasks it claimed; their leases will run out and they will be handed out again")]
    public static partial void ClaimedTasksNotStarted(ILogger logger, Exception exception, string taskType, int count);

    [LoggerMessage(EventId = 16, Level = LogLevel.Warning, Message = "Could not turn a due occurrence of a recurring schedule of task type '{TaskType}' into a task; it stays due and the next claim tries again")]
    public static partial void RecurringOccurrenceFailed(ILogger logger, Exception exception, string taskType);

    [LoggerMessage(EventId = 17, Level = LogLevel.Warning, Message = "Could not renew the leases of running tasks of type '{TaskType}'; trying again in {RenewalPeriod}, before they run out")]
    public static partial void LeaseRenewalFailed(ILogger logger, Exception exception, string taskType, TimeSpan renewalPeriod);

    [LoggerMessage(EventId = 18, Level = LogLevel.Warning, Message = "Could not deliver the outbox of task type '{TaskType}' to waiting continuations; delivering again within {RetryDelay}")]
    public static partial void OutboxDeliveryFailed(ILogger logger, Exception exception, string taskType, TimeSpan retryDelay);

    [LoggerMessage(EventId = 19, Level = LogLevel.Warning, Message = "Could not send the heartbeat of worker instance '{InstanceId}' to the registry; trying again in {HeartbeatInterval}")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception, string instanceId, TimeSpan heartbeatInterval);

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Could not deregister worker instance '{InstanceId}' while stopping; it stays listed until its heartbeat expires within {HeartbeatTimeout}")]
    public static partial void DeregistrationFailed(ILogger logger, Exception exception, string instanceId, TimeSpan heartbeatTimeout);

    // 21 to 24 are free; 25 and up follow.
    [LoggerMessage(EventId = 25, Level = LogLevel.Warning, Message = "Could not read the backlog of task type '{TaskType}' for its gauges; they keep their last values until the next collection")]
    public static partial void GaugeReadFailed(ILogger logger, Exception exception, string taskType);

    [LoggerMessage(EventId = 26, Level = LogLevel.Warning, Message = "Finished tasks of type '{TaskType}' were confirmed by {Acknowledged} of the {Required} replica(s) RedisSchedulerOptions.WaitForReplicas asks for within {Timeout}; a failover now could hand them out again")]
    public static partial void OutcomeNotReplicated(ILogger logger, Exception? exception, string taskType, int acknowledged, int required, TimeSpan timeout);

    [LoggerMessage(EventId = 27, Level = LogLevel.Information, Message = "The Redis client learnt of a topology change (a failover or a reconnection): the {Call} of task type '{TaskType}' are retried now instead of in {RetryDelay}")]
    public static partial void RetryAfterTopologyChange(ILogger logger, string call, string taskType, TimeSpan retryDelay);

    [LoggerMessage(EventId = 28, Level = LogLevel.Debug, Message = "The Redis cluster node holding the slot of task type '{TaskType}' is not one the client is connected to (a failover may be under way); its next call waits for the back-off")]
    public static partial void SlotOwnerNotConnected(ILogger logger, Exception exception, string taskType);
}
