using System.Text.Json;
using StackExchange.Redis;

namespace RedisScheduler;

/// <summary>
/// Options of the scheduler shared by every task type: the Redis connection, the key layout and
/// the timing of workers. Validated when the host starts.
/// </summary>
public sealed class RedisSchedulerOptions
{
    /// <summary>
    /// The StackExchange.Redis configuration string, for example <c>"localhost:6379"</c> or
    /// <c>"redis1:6379,password=...,ssl=true"</c>. Required unless <see cref="ConnectionMultiplexerFactory"/> is set.
    /// </summary>
    /// <value>Default: <see langword="null"/>.</value>
    public string? Configuration { get; set; }

    /// <summary>
    /// Supplies a connection the application already owns. The scheduler never disposes a
    /// connection it did not create, and uses it with the settings it was made with. When set,
    /// <see cref="Configuration"/> is ignored. The settings the scheduler gives the connections it
    /// opens itself (and recommends for yours: <c>AbortOnConnectFail = false</c>,
    /// <c>ReconnectRetryPolicy = new LinearRetry(1000)</c>, <c>SocketManager = SocketManager.ThreadPool</c>)
    /// and why are in docs/performance.md.
    /// </summary>
    /// <value>Default: <see langword="null"/>.</value>
    public Func<Task<IConnectionMultiplexer>>? ConnectionMultiplexerFactory { get; set; }

    /// <summary>
    /// Prefix of every key and channel the scheduler uses, so several applications can share one
    /// Redis without seeing each other's tasks. Must not contain <c>{</c> or <c>}</c>.
    /// </summary>
    /// <value>Default: <c>"redis-scheduler"</c>.</value>
    public string KeyPrefix { get; set; } = "redis-scheduler";

    /// <summary>Options used to serialize payloads; may carry a source-generated <c>JsonSerializerContext</c>.</summary>
    /// <value>Default: <see cref="JsonSerializerDefaults.Web"/> options with reflection-based serialization.</value>
    public JsonSerializerOptions JsonSerializerOptions { get; set; } = new(JsonSerializerDefaults.Web);

    /// <summary>The largest serialized payload accepted, in bytes. Larger payloads are rejected before anything is written.</summary>
    /// <value>Default: 262,144 (256 KiB).</value>
    public int MaxPayloadBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// How long a worker holds a task before another worker may take it over. Renewed while the
    /// handler runs, so it bounds how soon a task is handed out again after its worker died.
    /// </summary>
    /// <value>Default: 30 seconds.</value>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest an idle worker sleeps before it checks Redis again. Workers are woken by a
    /// notification when an earlier task is scheduled; this bounds the delay if one is lost.
    /// </summary>
    /// <value>Default: 1 second.</value>
    public TimeSpan MaxIdleDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most due tasks one dispatch moves in a single atomic step (bounds how long a script holds Redis).</summary>
    /// <value>Default: 500.</value>
    public int DispatchBatchSize { get; set; } = 500;

    /// <summary>The retry policy of every handler that does not set its own in <see cref="TaskHandlerOptions.Retry"/>.</summary>
    /// <value>Default: 10 attempts, 1 s doubling to 5 minutes, ±20% jitter.</value>
    public RetryPolicy Retry { get; set; } = new();

    /// <summary>
    /// When the host stops, how long running handlers may go on after their cancellation token
    /// fires. Tasks still running after that are handed back at once, for another instance to take.
    /// </summary>
    /// <value>Default: 10 seconds.</value>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a dead letter is kept before workers delete it, so failures cannot fill Redis.
    /// <see langword="null"/> keeps dead letters until <see cref="IDeadLetterStore"/> requeues or
    /// deletes them. Succeeded tasks are deleted as soon as they are acknowledged.
    /// </summary>
    /// <value>Default: 7 days.</value>
    public TimeSpan? DeadLetterRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long the result of a <see cref="TaskHandler{T, TResult}"/> is kept for
    /// <see cref="ITaskScheduler.WaitForCompletionAsync"/> before workers delete it.
    /// </summary>
    /// <value>Default: 1 day.</value>
    public TimeSpan ResultRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How many of the most recently succeeded task ids each task type keeps, with when they
    /// succeeded: for <see cref="ITaskMonitor.ListSucceededAsync"/>, and so that a continuation added
    /// after its parent finished knows it succeeded. 0 keeps none. It is trimmed in steps, so it may
    /// hold up to the smaller of this limit and 256 more. Give every instance the same value: an
    /// instance with 0 deletes the history whenever it acknowledges a task.
    /// </summary>
    /// <value>Default: 10,000 per task type (about 1 MB of Redis memory when full).</value>
    public int SucceededHistoryLimit { get; set; } = 10_000;

    /// <summary>
    /// How often an instance that runs task handlers renews its entry in the worker registry
    /// (<see cref="ITaskMonitor.ListWorkersAsync"/>), with how many tasks it runs now. One script
    /// call per instance per interval, whatever the number of tasks.
    /// </summary>
    /// <value>Default: 5 seconds.</value>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long after its last heartbeat an instance that stopped without deregistering (killed,
    /// or cut off from Redis) is still listed. At least twice <see cref="HeartbeatInterval"/>, so
    /// one late heartbeat does not make a live instance disappear.
    /// </summary>
    /// <value>Default: 15 seconds.</value>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Durability, opt-in: how many replicas must confirm a write before the call that made it
    /// returns. Redis replicates asynchronously, so a master that dies just after acknowledging a
    /// schedule may take it with it when a replica takes over (Cluster or Sentinel). With a value
    /// above 0, each scheduling call (<see cref="ITaskScheduler.ScheduleTaskAsync{T}(TimeSpan, T, CancellationToken)"/>
    /// and its overloads, <see cref="ITaskScheduler.EnqueueTaskAsync{T}(T, CancellationToken)"/>,
    /// <see cref="ITaskScheduler.ScheduleTasksAsync{T}"/>, <see cref="ITaskScheduler.ScheduleTaskOnceAsync{T}"/>)
    /// sends Redis <c>WAIT</c> after its write (one per call, whatever the size of a batch; a
    /// <see cref="ITaskScheduler.ScheduleBatchAsync{T, TCompletion}"/> one on its completion task's master
    /// and one on its tasks') and throws <see cref="ReplicationTimeoutException"/> when fewer replicas
    /// confirmed it within <see cref="WaitForReplicasTimeout"/>: the task then most likely exists, but
    /// is not yet safe from a failover (continuations, cancel and reschedule do not wait). Workers
    /// wait the same way after each batch of acknowledgements (and each
    /// retry, dead letter or hand-back), so a finished task is not run again after a failover;
    /// when too few replicas confirm one, they log a warning and carry on (the task may run again).
    /// Each WAIT costs a replication round trip and holds the scheduler's socket to that master for
    /// as long (docs/scaling.md has the measured cost). Not a guarantee against every loss: a
    /// replica that confirmed may itself fail, and a failover may still promote a replica that did not.
    /// </summary>
    /// <value>Default: 0 (do not wait).</value>
    public int WaitForReplicas { get; set; }

    /// <summary>
    /// The longest a write waits for <see cref="WaitForReplicas"/> replicas. Keep it below the
    /// connection's <c>asyncTimeout</c> (5 seconds by default), which otherwise ends the wait first.
    /// </summary>
    /// <value>Default: 1 second.</value>
    public TimeSpan WaitForReplicasTimeout { get; set; } = TimeSpan.FromSeconds(1);

    internal Dictionary<Type, string> TaskTypeNames { get; } = [];

    /// <summary>Partition counts of the payload types given to <c>PartitionTaskType</c>; a type not listed has one.</summary>
    internal Dictionary<Type, int> TaskTypePartitions { get; } = [];
}
