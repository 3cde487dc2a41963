namespace RedisScheduler;

/// <summary>
/// Schedules tasks to run at a given time in whichever instance of the application has a
/// <see cref="TaskHandler{T}"/> for their payload type and is free first. Registered by
/// <c>services.AddRedisScheduler()</c>; thread-safe.
/// </summary>
/// <remarks>
/// Due times are compared with the Redis server's clock. A due time in the past means due now.
/// Every method validates its input before it writes to Redis, so a rejected call writes nothing;
/// the one exception is a continuation whose parent turns out to be unknown, which is cancelled
/// again (see <see cref="ScheduleContinuationAsync"/>).
/// </remarks>
public interface ITaskScheduler
{
    /// <summary>Schedules a task to be handled at or after <paramref name="dueAt"/>.</summary>
    /// <typeparam name="T">The payload type; its task type name comes from <see cref="TaskTypeAttribute"/> or registration.</typeparam>
    /// <param name="dueAt">When the task is due.</param>
    /// <param name="payload">The data handed to the handler; serialized as JSON.</param>
    /// <param name="cancellationToken">Stops waiting for Redis; the task may still have been scheduled.</param>
    /// <returns>The task id.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="payload"/> is null.</exception>
    /// <exception cref="ArgumentException">The payload cannot be serialized, is too large, or its type has no valid name.</exception>
    Task<string> ScheduleTaskAsync<T>(DateTimeOffset dueAt, T payload, CancellationToken cancellationToken = default);

    /// <summary>Schedules a task with a priority: among due tasks of its type, higher priority is handed out first.</summary>
    /// <param name="dueAt">When the task is due.</param>
    /// <param name="payload">The data handed to the handler; serialized as JSON.</param>
    /// <param name="priority">Its priority among due tasks of its type.</param>
    /// <param name="cancellationToken">Stops waiting for Redis; the task may still have been scheduled.</param>
    /// <returns>The task id.</returns>
    Task<string> ScheduleTaskAsync<T>(DateTimeOffset dueAt, T payload, TaskPriority priority, CancellationToken cancellationToken = default);

    /// <summary>Schedules a task to be handled once <paramref name="delay"/> has passed, measured by the Redis server's clock.</summary>
    /// <param name="delay">How long from now; zero means now.</param>
    /// <param name="payload">The data handed to the handler; serialized as JSON.</param>
    /// <param name="cancellationToken">Stops waiting for Redis; the task may still have been scheduled.</param>
    /// <returns>The task id.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative or longer than 100 years.</exception>
    Task<string> ScheduleTaskAsync<T>(TimeSpan delay, T payload, CancellationToken cancellationToken = default);

    /// <summary>Queues a task to be handled as soon as a worker is free.</summary>
    /// <param name="payload">The data handed to the handler; serialized as JSON.</param>
    /// <param name="cancellationToken">Stops waiting for Redis; the task may still have been scheduled.</param>
    /// <returns>The task id.</returns>
    Task<string> EnqueueTaskAsync<T>(T payload, CancellationToken cancellationToken = default);

    /// <summary>Queues a task with a priority, to be handled as soon as a worker is free.</summary>
    /// <param name="payload">The data handed to the handler; serialized as JSON.</param>
    /// <param name="priority">Its priority among due tasks of its type.</param>
    /// <param name="cancellationToken">Stops waiting for Redis; the task may still have been scheduled.</param>
    /// <returns>The task id.</returns>
    Task<string> EnqueueTaskAsync<T>(T payload, TaskPriority priority, CancellationToken cancellationToken = default);

    /// <summary>
    /// Schedules a task synchronously at a Unix time in whole seconds, blocking the calling thread
    /// until Redis answers. Prefer <see cref="ScheduleTaskAsync{T}(DateTimeOffset, T, CancellationToken)"/> in async code.
    /// </summary>
    /// <param name="timestamp">Seconds since 1970-01-01T00:00:00Z, from 0 to 253402300799 (the end of year 9999).</param>
    /// <param name="payload">The data handed to the handler; serialized as JSON.</param>
    /// <returns>The task id.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timestamp"/> is outside that range.</exception>
    string ScheduleTask<T>(long timestamp, T payload);

    /// <summary>
    /// Schedules many tasks of one type in one pipelined round trip. Every payload is validated
    /// before anything is written. Not atomic as a whole: if Redis fails midway, some may be scheduled.
    /// </summary>
    /// <param name="tasks">Due times and payloads.</param>
    /// <param name="cancellationToken">Stops waiting for Redis; tasks may still have been scheduled.</param>
    /// <returns>The task ids, in the order of <paramref name="tasks"/>.</returns>
    Task<IReadOnlyList<string>> ScheduleTasksAsync<T>(IEnumerable<(DateTimeOffset DueAt, T Payload)> tasks, CancellationToken cancellationToken = default);

    /// <summary>
    /// Schedules a task identified by a key of the caller's (an order number, a message id), at most
    /// once: while a task with this key exists in any state (scheduled, ready, running or
    /// dead-lettered), another call with the key is <b>ignored</b> and returns the existing task's id.
    /// Once the task has finished or been cancelled, the key can be used again.
    /// </summary>
    /// <param name="taskKey">1 to 200 characters, no <c>|</c> and no control characters; unique per task type.</param>
    /// <param name="dueAt">When the task is due.</param>
    /// <param name="payload">The data handed to the handler; serialized as JSON.</param>
    /// <param name="cancellationToken">Stops waiting for Redis; the task may still have been scheduled.</param>
    /// <returns>The task id (<c>&lt;type&gt;/=&lt;taskKey&gt;</c>) and whether this call created the task.</returns>
    /// <exception cref="ArgumentException"><paramref name="taskKey"/> is empty, too long or has a forbidden character.</exception>
    Task<ScheduleOnceResult> ScheduleTaskOnceAsync<T>(string taskKey, DateTimeOffset dueAt, T payload, CancellationToken cancellationToken = default);

    /// <summary>Moves a task that has not started to a new due time, atomically.</summary>
    /// <param name="taskId">An id returned when the task was scheduled.</param>
    /// <param name="dueAt">The new due time; a time in the past means now.</param>
    /// <param name="cancellationToken">Stops waiting for Redis; the task may still have been moved.</param>
    /// <returns><see langword="true"/> if it was moved; <see langword="false"/> if it is running, finished, dead-lettered, a continuation still waiting for its parents, or unknown.</returns>
    Task<bool> RescheduleAsync(string taskId, DateTimeOffset dueAt, CancellationToken cancellationToken = default);

    /// <summary>Cancels a task that has not started yet.</summary>
    /// <param name="taskId">An id returned when the task was scheduled.</param>
    /// <param name="cancellationToken">Stops waiting for Redis; the task may still have been cancelled.</param>
    /// <returns><see langword="true"/> if the task was cancelled; <see langword="false"/> if it is running, finished, dead-lettered (see <see cref="IDeadLetterStore.DeleteAsync"/>) or unknown.</returns>
    Task<bool> CancelAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits until a task has ended and returns how, with the result of a <see cref="TaskHandler{T, TResult}"/>.
    /// Woken by a notification from the worker that finished it, with a check every second in case
    /// one is lost; no polling loop of the caller's.
    /// </summary>
    /// <param name="taskId">An id returned when the task was scheduled.</param>
    /// <param name="timeout">How long to wait at most.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="TimeoutException">The task had not ended within <paramref name="timeout"/>.</exception>
    Task<TaskCompletion> WaitForCompletionAsync(string taskId, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Reads a task that has not finished: waiting for its parents, scheduled, failed and waiting for a retry, ready, running or dead-lettered.</summary>
    /// <param name="taskId">An id returned when the task was scheduled.</param>
    /// <param name="cancellationToken">Stops waiting for Redis.</param>
    /// <returns>The task, or <see langword="null"/> when it finished, was cancelled or never existed.</returns>
    Task<TaskInfo?> GetTaskAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Schedules a continuation: a task that becomes ready only when every one of its parents has
    /// ended (succeeded, or, with <see cref="ParentFailurePolicy.RunAnyway"/>, ended in any way).
    /// It is released exactly once, at the end of its last parent, however many instances finish
    /// parents at the same moment; from then on it is an ordinary task (retries, dead letters).
    /// </summary>
    /// <remarks>
    /// A parent may be of any type, and may itself be a continuation. It must be pending
    /// (scheduled, ready, running, dead-lettered, waiting) or have ended recently enough to tell how:
    /// a success is remembered through the <see cref="RedisSchedulerOptions.SucceededHistoryLimit"/>
    /// newest successes of its type or its stored result. The continuation reads how its parents
    /// ended with <see cref="TaskContext.GetParentsAsync"/>.
    /// </remarks>
    /// <typeparam name="T">The continuation's payload type.</typeparam>
    /// <param name="parentTaskIds">1 to 10,000 distinct task ids.</param>
    /// <param name="payload">The continuation's payload; serialized as JSON.</param>
    /// <param name="onParentFailure">What happens when a parent is dead-lettered or cancelled.</param>
    /// <param name="cancellationToken">Stops waiting for the connection; once the continuation is being written, the call runs to its end.</param>
    /// <returns>The continuation's task id.</returns>
    /// <exception cref="ArgumentException">A parent id is malformed, repeated or unknown (the continuation is then cancelled), there are none or too many, or the payload is invalid.</exception>
    Task<string> ScheduleContinuationAsync<T>(IEnumerable<string> parentTaskIds, T payload, ParentFailurePolicy onParentFailure = ParentFailurePolicy.Cancel, CancellationToken cancellationToken = default);

    /// <summary>
    /// Schedules a batch: its tasks are due now, and a completion task of type
    /// <typeparamref name="TCompletion"/> runs once after the last of them has ended (however each
    /// ended). Its handler reads their outcomes and results, in the order given here, with
    /// <see cref="TaskContext.GetParentsAsync"/>.
    /// </summary>
    /// <typeparam name="T">The payload type of the batch's tasks.</typeparam>
    /// <typeparam name="TCompletion">The payload type of the completion task.</typeparam>
    /// <param name="payloads">1 to 10,000 payloads, one task each.</param>
    /// <param name="completion">The completion task's payload.</param>
    /// <param name="cancellationToken">Stops waiting for the connection; once the batch is being written, the call runs to its end.</param>
    /// <returns>The batch id (the completion task's id) and the tasks' ids.</returns>
    /// <exception cref="ArgumentException">There are no payloads or too many, or one is invalid; nothing is written.</exception>
    Task<TaskBatch> ScheduleBatchAsync<T, TCompletion>(IEnumerable<T> payloads, TCompletion completion, CancellationToken cancellationToken = default);

    /// <summary>Reads how many tasks of a batch (or parents of a continuation) have succeeded or failed so far.</summary>
    /// <param name="batchId">The batch id returned by <see cref="ScheduleBatchAsync"/>, or a continuation's id.</param>
    /// <param name="cancellationToken">Stops waiting for Redis.</param>
    /// <returns>The progress; <see langword="null"/> when the id is unknown or its completion task has succeeded or been cancelled (see <see cref="WaitForCompletionAsync"/>). A dead-lettered completion task keeps its progress until its dead letter is deleted.</returns>
    Task<BatchProgress?> GetBatchProgressAsync(string batchId, CancellationToken cancellationToken = default);
}
