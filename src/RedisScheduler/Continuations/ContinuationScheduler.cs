using System.Text;
using RedisScheduler.Storage;
using RedisScheduler.Storage.Scripts;
using StackExchange.Redis;

namespace RedisScheduler.Continuations;

/// <summary>
/// Writes continuations and batches: continue.lua creates the waiting task on its own type, then
/// depend.lua registers it with each parent's type, and resolve.lua records parents that had
/// already ended. See docs/design.md, "Continuations and batches".
/// </summary>
internal sealed class ContinuationScheduler(RedisConnection connection, TaskTypeNames names, PartitionRouter router, PayloadSerializer serializer, ContinuationRelay relay)
{
    internal const int MaxParents = 10_000;

    /// <summary>Parents per depend.lua call, and batch tasks per schedule.lua call.</summary>
    private const int ChunkSize = 500;

    public async Task<string> ScheduleContinuationAsync<T>(IEnumerable<string> parentTaskIds, T payload, ParentFailurePolicy onParentFailure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parentTaskIds);
        ContinueScript.ThrowIfInvalid(onParentFailure);
        var parents = new List<(string Id, string Type, string LocalId)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in parentTaskIds)
        {
            var (type, parentLocalId) = TaskId.Parse(id);
            if (!seen.Add(id))
            {
                throw new ArgumentException($"The parent task '{id}' is listed twice: list each parent once.", nameof(parentTaskIds));
            }

            parents.Add((id, type, parentLocalId));
        }

        ThrowIfBadCount(parents.Count, nameof(parentTaskIds), "parent task ids");
        var json = serializer.Serialize(payload);
        var keys = await router.ForNewTaskAsync(typeof(T), cancellationToken).ConfigureAwait(false);
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);

        var localId = await ContinueScript.RunAsync(database, keys, onParentFailure, json, [.. parents.Select(p => p.Id)]).ConfigureAwait(false);
        var continuationId = TaskId.Format(keys, localId);
        List<string> unknown;
        try
        {
            unknown = await RegisterAsync(database, keys, localId, continuationId, parents).ConfigureAwait(false);
        }
        catch
        {
            // Half registered, it could wait for ever: cancel it (best effort; if Redis is gone, it
            // stays Waiting, listed by ITaskMonitor, until cancelled).
            await TryCancelAsync(database, keys, localId).ConfigureAwait(false);
            throw;
        }

        if (unknown.Count > 0)
        {
            await TryCancelAsync(database, keys, localId).ConfigureAwait(false);
            throw new ArgumentException(
                $"{unknown.Count} parent task(s) are unknown, such as '{unknown[0]}': each parent must be pending, dead-lettered, or among the " +
                "RedisSchedulerOptions.SucceededHistoryLimit newest successes of its type. The continuation was not scheduled.",
                nameof(parentTaskIds));
        }

        return continuationId;
    }

    public async Task<TaskBatch> ScheduleBatchAsync<T, TCompletion>(IEnumerable<T> payloads, TCompletion completion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payloads);
        var jsons = payloads.Select(p => serializer.Serialize(p)).ToList();
        ThrowIfBadCount(jsons.Count, nameof(payloads), "payloads");
        var completionJson = serializer.Serialize(completion);
        // A batch's tasks share one partition of a partitioned type: their ids are reserved from its
        // sequence in one INCRBY, and each schedule.lua call registers them atomically there.
        var taskKeys = await router.ForNewTaskAsync(typeof(T), cancellationToken).ConfigureAwait(false);
        var completionKeys = await router.ForNewTaskAsync(typeof(TCompletion), cancellationToken).ConfigureAwait(false);
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);

        // The tasks' ids are reserved first, so the completion task can list them as parents before
        // they exist: no task can finish before its completion task knows of it.
        var first = await database.StringIncrementAsync(taskKeys.Sequence, jsons.Count).ConfigureAwait(false) - jsons.Count + 1;
        var localIds = Enumerable.Range(0, jsons.Count).Select(i => TaskId.Generated(first + i)).ToList();
        var taskIds = localIds.Select(l => TaskId.Format(taskKeys, l)).ToList();
        // With WaitForReplicas, each master's writes are followed by a WAIT there (ReplicaWait): the
        // completion task's master, then the tasks' (which also covers the INCRBY above).
        var replicas = connection.Replicas;
        var completionArgs = ContinueScript.Args(ParentFailurePolicy.RunAnyway, completionJson, taskIds);
        var completionReplicated = replicas.IsEnabled
            ? await replicas.EvaluateAsync(database.Multiplexer, completionKeys, [new ScriptCall(SchedulerScripts.Instance.Continue, completionArgs)]).ConfigureAwait(false)
            : (ReplicatedReplies?)null;
        var completionLocalId = completionReplicated is null
            ? await ContinueScript.RunAsync(database, completionKeys, ParentFailurePolicy.RunAnyway, completionJson, taskIds).ConfigureAwait(false)
            : (string)completionReplicated.Value.Replies[0]!;
        var batchId = TaskId.Format(completionKeys, completionLocalId);

        ReplicatedReplies? tasksReplicated = null;
        try
        {
            // Each call schedules its tasks and registers them as the completion task's parents,
            // atomically: a task that exists always knows its completion task.
            var chunks = new List<RedisValue[]>();
            for (var start = 0; start < jsons.Count; start += ChunkSize)
            {
                var count = Math.Min(ChunkSize, jsons.Count - start);
                var args = ScheduleScript.ReservedIds(taskKeys, first + start, batchId, count);
                for (var i = 0; i < count; i++)
                {
                    // Due at once: a delay of 0 from the server's now.
                    ScheduleScript.SetTask(args, i, 0, jsons[start + i]);
                }

                chunks.Add(args);
            }

            if (replicas.IsEnabled)
            {
                tasksReplicated = await replicas.EvaluateAsync(database.Multiplexer, taskKeys, [.. chunks.Select(a => new ScriptCall(SchedulerScripts.Instance.Schedule, a))]).ConfigureAwait(false);
            }
            else
            {
                await Task.WhenAll(chunks.Select(a => ScheduleScript.RunAsync(database, taskKeys, a))).ConfigureAwait(false);
            }
        }
        catch
        {
            // Tasks not scheduled would keep the completion task waiting for ever.
            await TryCancelAsync(database, completionKeys, completionLocalId).ConfigureAwait(false);
            throw;
        }

        if (completionReplicated is { } completionWait && tasksReplicated is { } tasksWait)
        {
            // Everything was written; what a shortfall reports is that not all of it is safe yet.
            IReadOnlyList<string> Written() => [batchId, .. taskIds];
            replicas.ThrowIfShort(completionWait, Written);
            replicas.ThrowIfShort(tasksWait, Written);
        }

        return new TaskBatch(batchId, taskIds);
    }

    public async Task<BatchProgress?> GetBatchProgressAsync(string batchId, CancellationToken cancellationToken)
    {
        var (taskType, localId) = TaskId.Parse(batchId);
        var keys = names.GetKeys(taskType);
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var counts = await database.HashGetAsync(keys.ParentsOf(localId), ["#total", "#succeeded", "#failed"]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return counts[0].IsNull ? null : new BatchProgress(batchId, (int)counts[0], (int)counts[1], (int)counts[2]);
    }

    /// <summary>How the parents of a continuation ended, for <see cref="TaskContext.GetParentsAsync"/>.</summary>
    public async Task<IReadOnlyList<TaskCompletion>> ReadParentsAsync(TaskTypeKeys keys, string localId, CancellationToken cancellationToken)
    {
        if (!TaskIdPrefix.IsContinuation(localId))
        {
            return [];
        }

        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var fields = await database.HashGetAllAsync(keys.ParentsOf(localId)).WaitAsync(cancellationToken).ConfigureAwait(false);
        var parents = new List<TaskCompletion>(fields.Length);
        foreach (var field in fields)
        {
            var id = (string)field.Name!;
            var value = Encoding.UTF8.GetString((byte[])field.Value!);
            if (id.StartsWith('#') || value.Length == 0)
            {
                continue;
            }

            var detail = value.Length > 1 ? value[1..] : null;
            parents.Add(value[0] switch
            {
                's' => new TaskCompletion(id, TaskOutcome.Succeeded, detail, null),
                'd' => new TaskCompletion(id, TaskOutcome.DeadLettered, null, TaskErrorJson.Parse(detail)),
                _ => new TaskCompletion(id, TaskOutcome.Cancelled, null, null),
            });
        }

        // Generated ids are length-prefixed decimals, so ordinal order is the order they were made.
        parents.Sort((a, b) => string.CompareOrdinal(a.TaskId, b.TaskId));
        return parents;
    }

    private static void ThrowIfBadCount(int count, string paramName, string what)
    {
        if (count is 0 or > MaxParents)
        {
            throw new ArgumentException($"{count} {what} given: pass 1 to {MaxParents:N0}. For more, split the work into batches and chain them with continuations.", paramName);
        }
    }

    /// <summary>
    /// Registers the continuation with each parent's type (depend.lua), then records the parents
    /// that had already ended (resolve.lua). Returns the parents that are unknown.
    /// </summary>
    private async Task<List<string>> RegisterAsync(IDatabaseAsync database, TaskTypeKeys keys, string localId, string continuationId, List<(string Id, string Type, string LocalId)> parents)
    {
        var registrations = new List<Task<(List<(string Id, string LocalId)> Parents, ParentStanding[] Standings)>>();
        foreach (var byType in parents.GroupBy(p => p.Type, StringComparer.Ordinal))
        {
            var parentKeys = names.GetKeys(byType.Key);
            foreach (var chunk in byType.Chunk(ChunkSize))
            {
                registrations.Add(DependAsync(database, parentKeys, continuationId, [.. chunk.Select(p => (p.Id, p.LocalId))]));
            }
        }

        var ended = new List<ParentEnd>();
        var unknown = new List<string>();
        foreach (var (chunk, standings) in await Task.WhenAll(registrations).ConfigureAwait(false))
        {
            for (var i = 0; i < chunk.Count; i++)
            {
                if (standings[i].State == ParentStanding.Kind.Unknown)
                {
                    unknown.Add(chunk[i].Id);
                }
                else if (standings[i].State == ParentStanding.Kind.Ended)
                {
                    ended.Add(new ParentEnd(chunk[i].Id, standings[i].Outcome, standings[i].Detail));
                }
            }
        }

        if (unknown.Count == 0 && ended.Count > 0
            && await ResolveScript.RunAsync(database, keys, localId, ended).ConfigureAwait(false) == ResolveScript.Result.CancelledWithContinuations)
        {
            await DeliverQuietlyAsync(relay, database, keys).ConfigureAwait(false);
        }

        return unknown;
    }

    /// <summary>Delivers an outbox now; if that fails, a worker of the type delivers it within seconds, so the caller is not told.</summary>
    internal static async Task DeliverQuietlyAsync(ContinuationRelay relay, IDatabaseAsync database, TaskTypeKeys keys)
    {
        try
        {
            await relay.DeliverAsync(database, keys).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // Left in the outbox: see OutboxPump.
        }
    }

    private static async Task TryCancelAsync(IDatabaseAsync database, TaskTypeKeys keys, string localId)
    {
        try
        {
            await CancelScript.RunAsync(database, keys, localId).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // Redis is unreachable: the caller gets the first failure; the continuation stays Waiting.
        }
    }

    private static async Task<(List<(string Id, string LocalId)> Parents, ParentStanding[] Standings)> DependAsync(
        IDatabaseAsync database, TaskTypeKeys parentKeys, string continuationId, List<(string Id, string LocalId)> parents)
        => (parents, await DependScript.RunAsync(database, parentKeys, continuationId, [.. parents.Select(p => p.LocalId)]).ConfigureAwait(false));
}
