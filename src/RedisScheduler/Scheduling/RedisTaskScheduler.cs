using System.Diagnostics;
using RedisScheduler.Continuations;
using RedisScheduler.Diagnostics;
using RedisScheduler.Storage;
using RedisScheduler.Storage.Scripts;
using StackExchange.Redis;

namespace RedisScheduler.Scheduling;

/// <summary>Writes tasks into the schedule with schedule.lua; one EVALSHA per call, or per chunk of a batch.</summary>
internal sealed class RedisTaskScheduler(
    RedisConnection connection, TaskTypeNames names, PartitionRouter router, PayloadSerializer serializer, TimeProvider time, ContinuationScheduler continuations, ContinuationRelay relay) : ITaskScheduler
{
    /// <summary>Tasks per script call in a batch: large enough to amortise a call's cost, small enough not to hold Redis for long (about 2 ms).</summary>
    internal const int BatchChunkSize = 500;

    private const long MaxUnixSeconds = 253_402_300_799;
    private static readonly TimeSpan MaxDelay = TimeSpan.FromDays(36_525);
    private const int MaxTaskKeyLength = 200;

    public Task<string> ScheduleTaskAsync<T>(DateTimeOffset dueAt, T payload, CancellationToken cancellationToken = default)
        => ScheduleOneAsync(relative: false, CeilingUnixMilliseconds(dueAt), payload, cancellationToken);

    public Task<string> ScheduleTaskAsync<T>(DateTimeOffset dueAt, T payload, TaskPriority priority, CancellationToken cancellationToken = default)
        => ScheduleOneAsync(relative: false, CeilingUnixMilliseconds(dueAt), payload, cancellationToken, priority);

    public Task<string> EnqueueTaskAsync<T>(T payload, TaskPriority priority, CancellationToken cancellationToken = default)
        => ScheduleOneAsync(relative: true, 0, payload, cancellationToken, priority);

    public Task<string> ScheduleTaskAsync<T>(TimeSpan delay, T payload, CancellationToken cancellationToken = default)
    {
        if (delay < TimeSpan.Zero || delay > MaxDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "The delay must be from zero to 100 years; to run a task now use EnqueueTaskAsync.");
        }

        // Rounded up: a delay of 1.2 ms waits 2 ms, never 1.
        return ScheduleOneAsync(relative: true, (long)Math.Ceiling(delay.TotalMilliseconds), payload, cancellationToken);
    }

    public Task<string> EnqueueTaskAsync<T>(T payload, CancellationToken cancellationToken = default)
        => ScheduleOneAsync(relative: true, 0, payload, cancellationToken);

    public string ScheduleTask<T>(long timestamp, T payload)
    {
        if (timestamp is < 0 or > MaxUnixSeconds)
        {
            throw new ArgumentOutOfRangeException(
                nameof(timestamp),
                timestamp,
                $"The timestamp must be a Unix time in whole seconds from 0 to {MaxUnixSeconds}; for milliseconds or DateTimeOffset use ScheduleTaskAsync.");
        }

        var keys = names.GetKeys(typeof(T));
        using var activity = SchedulerActivities.StartSend(keys.TaskType);
        try
        {
            var json = serializer.Serialize(payload);
            // Only once the input is known good: routing may record the partition count in Redis.
            keys = router.ForNewTask(typeof(T));
            var args = ScheduleScript.One(keys, relative: false, "", timestamp * 1000, json, StoredTraceContext.Capture(Activity.Current));
            var database = connection.GetDatabase();
            var first = connection.Replicas.IsEnabled
                ? (long)ScheduleChunks.ReplicatedAsync(connection, database, keys, [args], r => [TaskId.FormatGenerated(keys, "", (long)r[0])], CancellationToken.None).GetAwaiter().GetResult()[0]
                : ScheduleScript.Run(database, keys, args);
            var id = TaskId.FormatGenerated(keys, "", first);
            SchedulerActivities.Sent(activity, keys.TaskType, 1, id);
            return id;
        }
        catch (Exception e)
        {
            SchedulerActivities.Failed(activity, e);
            throw;
        }
    }

    public async Task<IReadOnlyList<string>> ScheduleTasksAsync<T>(IEnumerable<(DateTimeOffset DueAt, T Payload)> tasks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var keys = names.GetKeys(typeof(T));
        // One span for the whole call, whatever its size; every task carries its context.
        using var activity = SchedulerActivities.StartSend(keys.TaskType);
        try
        {
            var ids = await ScheduleManyAsync<T>(tasks, StoredTraceContext.Capture(Activity.Current), cancellationToken).ConfigureAwait(false);
            SchedulerActivities.Sent(activity, keys.TaskType, ids.Count);
            return ids;
        }
        catch (Exception e)
        {
            SchedulerActivities.Failed(activity, e);
            throw;
        }
    }

    private async Task<IReadOnlyList<string>> ScheduleManyAsync<T>(IEnumerable<(DateTimeOffset DueAt, T Payload)> tasks, string? trace, CancellationToken cancellationToken)
    {
        // Every payload is serialized before anything is sent: a bad one fails the call with nothing written.
        var keys = names.GetKeys(typeof(T));
        var args = new List<RedisValue[]>();
        RedisValue[]? chunk = null;
        var filled = 0;
        foreach (var (dueAt, payload) in tasks)
        {
            if (chunk is null)
            {
                chunk = ScheduleScript.GeneratedIds(keys, relative: false, "", BatchChunkSize, trace);
                filled = 0;
                args.Add(chunk);
            }

            ScheduleScript.SetTask(chunk, filled++, CeilingUnixMilliseconds(dueAt), serializer.Serialize(payload));
            if (filled == BatchChunkSize)
            {
                chunk = null;
            }
        }

        if (chunk is not null)
        {
            ScheduleScript.Truncate(ref chunk, filled);
            args[^1] = chunk;
        }

        if (args.Count == 0)
        {
            return [];
        }

        return await ScheduleChunks.SendAsync(connection, router, typeof(T), args, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ScheduleOnceResult> ScheduleTaskOnceAsync<T>(string taskKey, DateTimeOffset dueAt, T payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskKey);
        if (taskKey.Length is 0 or > MaxTaskKeyLength || taskKey.Contains('|', StringComparison.Ordinal) || taskKey.Any(char.IsControl))
        {
            throw new ArgumentException(
                $"The task key '{taskKey}' is invalid: use 1 to {MaxTaskKeyLength} characters without '|' or control characters, such as \"order-42\".",
                nameof(taskKey));
        }

        var keys = names.GetKeys(typeof(T));
        using var activity = SchedulerActivities.StartSend(keys.TaskType);
        try
        {
            var json = serializer.Serialize(payload);
            keys = await router.ForTaskKeyAsync(typeof(T), taskKey, cancellationToken).ConfigureAwait(false);
            var localId = TaskIdPrefix.TaskKey + taskKey;
            var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
            var id = TaskId.Format(keys, localId);
            var args = ScheduleScript.Once(keys, localId, CeilingUnixMilliseconds(dueAt), json, StoredTraceContext.Capture(Activity.Current));
            var created = connection.Replicas.IsEnabled
                ? ScheduleScript.Created((await ScheduleChunks.ReplicatedAsync(connection, database, keys, [args], _ => [id], cancellationToken).ConfigureAwait(false))[0])
                : ScheduleScript.Created(await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Schedule, keys, args).WaitAsync(cancellationToken).ConfigureAwait(false));
            SchedulerActivities.Sent(activity, keys.TaskType, created ? 1 : 0, id);
            return new ScheduleOnceResult(id, created);
        }
        catch (Exception e)
        {
            SchedulerActivities.Failed(activity, e);
            throw;
        }
    }

    public async Task<bool> RescheduleAsync(string taskId, DateTimeOffset dueAt, CancellationToken cancellationToken = default)
    {
        var (taskType, localId) = TaskId.Parse(taskId);
        var keys = names.GetKeys(taskType);
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await RescheduleScript.RunAsync(database, keys, localId, CeilingUnixMilliseconds(dueAt)).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> CancelAsync(string taskId, CancellationToken cancellationToken = default)
    {
        var (taskType, localId) = TaskId.Parse(taskId);
        var keys = names.GetKeys(taskType);
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var (cancelled, notifyContinuations) = await CancelScript.RunAsync(database, keys, localId).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (notifyContinuations)
        {
            // Its continuations hear of it now; if this fails, a worker of the type delivers it later.
            await ContinuationScheduler.DeliverQuietlyAsync(relay, database, keys).ConfigureAwait(false);
        }

        return cancelled;
    }

    public Task<string> ScheduleContinuationAsync<T>(IEnumerable<string> parentTaskIds, T payload, ParentFailurePolicy onParentFailure = ParentFailurePolicy.Cancel, CancellationToken cancellationToken = default)
        => continuations.ScheduleContinuationAsync(parentTaskIds, payload, onParentFailure, cancellationToken);

    public Task<TaskBatch> ScheduleBatchAsync<T, TCompletion>(IEnumerable<T> payloads, TCompletion completion, CancellationToken cancellationToken = default)
        => continuations.ScheduleBatchAsync(payloads, completion, cancellationToken);

    public Task<BatchProgress?> GetBatchProgressAsync(string batchId, CancellationToken cancellationToken = default)
        => continuations.GetBatchProgressAsync(batchId, cancellationToken);

    public async Task<TaskCompletion> WaitForCompletionAsync(string taskId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var (taskType, localId) = TaskId.Parse(taskId);
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await CompletionWaiter.WaitAsync(database, names.GetKeys(taskType), taskId, localId, timeout, time, cancellationToken).ConfigureAwait(false);
    }

    public async Task<TaskInfo?> GetTaskAsync(string taskId, CancellationToken cancellationToken = default)
    {
        var (taskType, localId) = TaskId.Parse(taskId);
        var keys = names.GetKeys(taskType);
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await GetScript.RunAsync(database, keys, localId).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Redis stores whole milliseconds; rounding up keeps a task from starting before the instant asked for.</summary>
    internal static long CeilingUnixMilliseconds(DateTimeOffset dueAt)
        => dueAt.ToUnixTimeMilliseconds() + (dueAt.UtcTicks % TimeSpan.TicksPerMillisecond > 0 ? 1 : 0);

    /// <summary>
    /// Schedules (or, without <paramref name="dueAt"/>, enqueues) a task of a payload class the
    /// application registered, known here as a <see cref="Type"/> from <see cref="ITaskTypeRegistry"/>
    /// rather than a type argument: the admin API's path. Non-generic all the way (no generic method
    /// made at run time), so it is safe to trim; the type never comes from a name in data.
    /// </summary>
    /// <exception cref="ArgumentException">The payload cannot be serialized or is too large; nothing was written.</exception>
    internal async Task<string> ScheduleRegisteredAsync(Type payloadType, object payload, DateTimeOffset? dueAt, TaskPriority priority, CancellationToken cancellationToken)
    {
        var keys = names.GetKeys(payloadType);
        using var activity = SchedulerActivities.StartSend(keys.TaskType);
        try
        {
            var json = serializer.Serialize(payload, payloadType);
            // Routed only once the payload serialized: a rejected input writes nothing, not even a partition count.
            keys = await router.ForNewTaskAsync(payloadType, cancellationToken).ConfigureAwait(false);
            return await SendOneAsync(keys, activity, relative: dueAt is null, dueAt is { } at ? CeilingUnixMilliseconds(at) : 0, json, priority, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            SchedulerActivities.Failed(activity, e);
            throw;
        }
    }

    private async Task<string> ScheduleOneAsync<T>(bool relative, long due, T payload, CancellationToken cancellationToken, TaskPriority priority = TaskPriority.Normal)
    {
        var keys = names.GetKeys(typeof(T));
        using var activity = SchedulerActivities.StartSend(keys.TaskType);
        try
        {
            var json = serializer.Serialize(payload);
            keys = await router.ForNewTaskAsync(typeof(T), cancellationToken).ConfigureAwait(false);
            return await SendOneAsync(keys, activity, relative, due, json, priority, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            SchedulerActivities.Failed(activity, e);
            throw;
        }
    }

    private async Task<string> SendOneAsync(TaskTypeKeys keys, Activity? activity, bool relative, long due, byte[] json, TaskPriority priority, CancellationToken cancellationToken)
    {
        var prefix = TaskIdPrefix.For(priority);
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var trace = StoredTraceContext.Capture(Activity.Current);
        var first = connection.Replicas.IsEnabled
            ? (long)(await ScheduleChunks.ReplicatedAsync(connection, database, keys, [ScheduleScript.One(keys, relative, prefix, due, json, trace)], r => [TaskId.FormatGenerated(keys, prefix, (long)r[0])], cancellationToken).ConfigureAwait(false))[0]
            : await ScheduleScript.RunOneAsync(database, keys, relative, prefix, due, json, trace).WaitAsync(cancellationToken).ConfigureAwait(false);
        var id = TaskId.FormatGenerated(keys, prefix, first);
        SchedulerActivities.Sent(activity, keys.TaskType, 1, id);
        return id;
    }
}
