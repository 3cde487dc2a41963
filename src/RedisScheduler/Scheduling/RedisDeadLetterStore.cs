using System.Text;
using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Scheduling;

/// <summary>Reads and repairs the dead letters of each task type with deadletters.lua.</summary>
internal sealed class RedisDeadLetterStore(RedisConnection connection, TaskTypeNames names) : IDeadLetterStore
{
    private const int RequeueBatch = 1000;

    public async Task<IReadOnlyList<DeadLetter>> ListAsync(string taskType, int offset = 0, int count = 100, CancellationToken cancellationToken = default)
    {
        TaskTypeNames.ThrowIfInvalidName(taskType, nameof(taskType));
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 1000);
        var keys = names.GetKeys(taskType);
        var result = (RedisResult[])(await RunAsync(keys, ["list", offset, count], cancellationToken).ConfigureAwait(false))!;
        var letters = new List<DeadLetter>(result.Length / 4);
        for (var i = 0; i + 3 < result.Length; i += 4)
        {
            var record = TaskRecord.Parse((byte[])result[i + 2]!);
            letters.Add(new DeadLetter(
                TaskId.Format(taskType, (string)result[i]!),
                taskType,
                record.Attempt,
                DateTimeOffset.FromUnixTimeMilliseconds(record.ScheduledAtMs),
                DateTimeOffset.FromUnixTimeMilliseconds(record.DueAtMs),
                DateTimeOffset.FromUnixTimeMilliseconds((long)result[i + 1]),
                TaskErrorJson.Parse((string?)result[i + 3]),
                Encoding.UTF8.GetString(record.Payload.Span)));
        }

        return letters;
    }

    public async Task<bool> RequeueAsync(string taskId, CancellationToken cancellationToken = default)
    {
        var (taskType, localId) = TaskId.Parse(taskId);
        var keys = names.GetKeys(taskType);
        return (int)await RunAsync(keys, ["requeue", keys.WakeChannel, localId], cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<long> RequeueAllAsync(string taskType, CancellationToken cancellationToken = default)
    {
        TaskTypeNames.ThrowIfInvalidName(taskType, nameof(taskType));
        var keys = names.GetKeys(taskType);
        // Only letters dead before the call: one that fails again while this runs is not requeued twice.
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var time = await database.ExecuteAsync("TIME").WaitAsync(cancellationToken).ConfigureAwait(false);
        var serverNowMs = (((long)time[0]) * 1000) + (((long)time[1]) / 1000) + 1;
        long total = 0;
        int batch;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            batch = (int)await RunAsync(keys, ["requeue", keys.WakeChannel, "all", serverNowMs], cancellationToken).ConfigureAwait(false);
            total += batch;
        }
        while (batch == RequeueBatch);

        return total;
    }

    public async Task<bool> DeleteAsync(string taskId, CancellationToken cancellationToken = default)
    {
        var (taskType, localId) = TaskId.Parse(taskId);
        return (int)await RunAsync(names.GetKeys(taskType), ["delete", localId], cancellationToken).ConfigureAwait(false) == 1;
    }

    private async Task<RedisResult> RunAsync(TaskTypeKeys keys, RedisValue[] args, CancellationToken cancellationToken)
    {
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.DeadLetters, keys.All, args).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
