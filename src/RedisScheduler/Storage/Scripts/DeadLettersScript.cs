using System.Text;
using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Storage.Scripts;

/// <summary>Calls deadletters.lua: lists, requeues or deletes the dead letters of one type.</summary>
internal static class DeadLettersScript
{
    /// <summary>The most letters one <see cref="RequeueAllAsync"/> call requeues; a full batch means there may be more.</summary>
    public const int RequeueAllBatch = 1000;

    /// <summary>A page of the dead letters, oldest first.</summary>
    public static async Task<IReadOnlyList<DeadLetter>> ListAsync(IDatabaseAsync database, TaskTypeKeys keys, int offset, int count)
    {
        var reply = (RedisResult[])(await RunAsync(database, keys, ["list", offset, count]).ConfigureAwait(false))!;
        var letters = new List<DeadLetter>(reply.Length / 4);
        for (var i = 0; i + 3 < reply.Length; i += 4)
        {
            var record = TaskRecord.Parse((byte[])reply[i + 2]!);
            letters.Add(new DeadLetter(
                TaskId.Format(keys.TaskType, (string)reply[i]!),
                keys.TaskType,
                record.Attempt,
                DateTimeOffset.FromUnixTimeMilliseconds(record.ScheduledAtMs),
                DateTimeOffset.FromUnixTimeMilliseconds(record.DueAtMs),
                DateTimeOffset.FromUnixTimeMilliseconds((long)reply[i + 1]),
                TaskErrorJson.Parse((string?)reply[i + 3]),
                Encoding.UTF8.GetString(record.Payload.Span)));
        }

        return letters;
    }

    /// <summary>Makes a dead letter due now, with its attempts reset; <see langword="false"/> when it is not dead-lettered.</summary>
    public static async Task<bool> RequeueAsync(IDatabaseAsync database, TaskTypeKeys keys, string localId)
        => (int)await RunAsync(database, keys, ["requeue", keys.WakeChannel, localId]).ConfigureAwait(false) == 1;

    /// <summary>
    /// Requeues the oldest <see cref="RequeueAllBatch"/> letters that died before <paramref name="beforeMs"/>
    /// (Unix ms, server clock); returns how many. Repeat with the same time while that is a full batch.
    /// </summary>
    public static async Task<int> RequeueAllAsync(IDatabaseAsync database, TaskTypeKeys keys, long beforeMs)
        => (int)await RunAsync(database, keys, ["requeue", keys.WakeChannel, "all", beforeMs]).ConfigureAwait(false);

    /// <summary>Deletes a dead letter for good; <see langword="false"/> when it is not dead-lettered.</summary>
    public static async Task<bool> DeleteAsync(IDatabaseAsync database, TaskTypeKeys keys, string localId)
        => (int)await RunAsync(database, keys, ["delete", localId]).ConfigureAwait(false) == 1;

    private static Task<RedisResult> RunAsync(IDatabaseAsync database, TaskTypeKeys keys, RedisValue[] args)
        => SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.DeadLetters, keys.All, args);
}
