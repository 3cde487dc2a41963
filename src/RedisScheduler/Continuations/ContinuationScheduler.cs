using System.Text;
using RedisScheduler.Scheduling;
using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Continuations;

/// <summary>
/// Writes continuations and batches: continue.lua creates the waiting task on its own type, then
/// depend.lua registers it with each parent's type, and resolve.lua records parents that had
/// already ended. See docs/design.md, "Continuations and batches".
/// </summary>
internal sealed class ContinuationScheduler(RedisConnection connection, TaskTypeNames names, PayloadSerializer serializer, ContinuationRelay relay)
{
    internal const int MaxParents = 10_000;

    /// <summary>Parents per depend.lua call, and batch tasks per schedule.lua call.</summary>
    private const int ChunkSize = 500;

    private static readonly RedisValue Check = "check";
    private static readonly RedisValue Expect = "expect";

    public async Task<string> ScheduleContinuationAsync<T>(IEnumerable<string> parentTaskIds, T payload, ParentFailurePolicy onParentFailure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parentTaskIds);
        var policy = PolicyCode(onParentFailure);
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
        var keys = names.GetKeys(typeof(T));
        var json = serializer.Serialize(payload);
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);

        var localId = (string)(await SchedulerScripts.EvaluateAsync(
            database, SchedulerScripts.Instance.Continue, keys.All, [policy, json, .. parents.Select(p => (RedisValue)p.Id)]).ConfigureAwait(false))!;
        var continuationId = TaskId.Format(keys.TaskType, localId);

        var registrations = new List<Task<(List<(string Id, string LocalId)> Parents, RedisResult Reply)>>();
        foreach (var byType in parents.GroupBy(p => p.Type, StringComparer.Ordinal))
        {
            var parentKeys = names.GetKeys(byType.Key);
            foreach (var chunk in byType.Chunk(ChunkSize))
            {
                registrations.Add(RegisterAsync(database, parentKeys, continuationId, Check, [.. chunk.Select(p => (p.Id, p.LocalId))]));
            }
        }

        var ended = new List<RedisValue> { localId, keys.WakeChannel, keys.DoneChannel };
        var unknown = new List<string>();
        foreach (var (chunk, reply) in await Task.WhenAll(registrations).ConfigureAwait(false))
        {
            var replies = (RedisResult[])reply!;
            for (var i = 0; i < chunk.Count; i++)
            {
                var state = (string)replies[i]!;
                if (state.Length == 0)
                {
                    continue;
                }

                if (state == "u")
                {
                    unknown.Add(chunk[i].Id);
                    continue;
                }

                ended.AddRange([chunk[i].Id, state[..1], state[1..]]);
            }
        }

        if (unknown.Count > 0)
        {
            await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Cancel, keys.All, [localId, keys.DoneChannel]).ConfigureAwait(false);
            throw new ArgumentException(
                $"{unknown.Count} parent task(s) are unknown, such as '{unknown[0]}': each parent must be pending, dead-lettered, or among the " +
                "RedisSchedulerOptions.SucceededHistoryLimit newest successes of its type. The continuation was not scheduled.",
                nameof(parentTaskIds));
        }

        if (ended.Count > 3 && (int)await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Resolve, keys.All, [.. ended]).ConfigureAwait(false) == 3)
        {
            await relay.DeliverAsync(database, keys).ConfigureAwait(false);
        }

        return continuationId;
    }

    public async Task<TaskBatch> ScheduleBatchAsync<T, TCompletion>(IEnumerable<T> payloads, TCompletion completion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payloads);
        var taskKeys = names.GetKeys(typeof(T));
        var completionKeys = names.GetKeys(typeof(TCompletion));
        var jsons = payloads.Select(p => serializer.Serialize(p)).ToList();
        ThrowIfBadCount(jsons.Count, nameof(payloads), "payloads");
        var completionJson = serializer.Serialize(completion);
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);

        // The tasks' ids are reserved first, so the completion task can wait for them before they
        // exist: a task cannot finish before its completion task is registered with it.
        var first = await database.StringIncrementAsync(taskKeys.Sequence, jsons.Count).ConfigureAwait(false) - jsons.Count + 1;
        var localIds = Enumerable.Range(0, jsons.Count).Select(i => TaskId.Generated(first + i)).ToList();
        var taskIds = localIds.Select(l => TaskId.Format(taskKeys.TaskType, l)).ToList();
        var completionLocalId = (string)(await SchedulerScripts.EvaluateAsync(
            database, SchedulerScripts.Instance.Continue, completionKeys.All, [PolicyCode(ParentFailurePolicy.RunAnyway), completionJson, .. taskIds.Select(id => (RedisValue)id)]).ConfigureAwait(false))!;
        var batchId = TaskId.Format(completionKeys.TaskType, completionLocalId);

        var calls = new List<Task>();
        for (var start = 0; start < localIds.Count; start += ChunkSize)
        {
            var chunk = localIds.Skip(start).Take(ChunkSize).ToList();
            calls.Add(SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Depend, taskKeys.All, [batchId, Expect, .. chunk.Select(l => (RedisValue)l)]));
        }

        await Task.WhenAll(calls).ConfigureAwait(false);
        calls.Clear();
        for (var start = 0; start < jsons.Count; start += ChunkSize)
        {
            RedisValue[] args = [taskKeys.WakeChannel, "rel", "#" + (first + start).ToString(System.Globalization.CultureInfo.InvariantCulture),
                .. jsons.Skip(start).Take(ChunkSize).SelectMany(json => new RedisValue[] { 0, json })];
            calls.Add(SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Schedule, taskKeys.All, args));
        }

        await Task.WhenAll(calls).ConfigureAwait(false);
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
        if (!localId.StartsWith('+'))
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

    private static RedisValue PolicyCode(ParentFailurePolicy policy) => policy switch
    {
        ParentFailurePolicy.Cancel => "c",
        ParentFailurePolicy.RunAnyway => "r",
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "Use ParentFailurePolicy.Cancel or ParentFailurePolicy.RunAnyway."),
    };

    private static void ThrowIfBadCount(int count, string paramName, string what)
    {
        if (count is 0 or > MaxParents)
        {
            throw new ArgumentException($"{count} {what} given: pass 1 to {MaxParents:N0}. For more, split the work into batches and chain them with continuations.", paramName);
        }
    }

    private static async Task<(List<(string Id, string LocalId)> Parents, RedisResult Reply)> RegisterAsync(
        IDatabaseAsync database, TaskTypeKeys parentKeys, string continuationId, RedisValue mode, List<(string Id, string LocalId)> parents)
        => (parents, await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Depend, parentKeys.All, [continuationId, mode, .. parents.Select(p => (RedisValue)p.LocalId)]).ConfigureAwait(false));
}
