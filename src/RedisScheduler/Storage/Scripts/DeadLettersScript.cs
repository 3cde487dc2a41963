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
            var diedAtMs = (long)reply[i + 1];
            // A MalformedRecord letter shows when it died as its times, and its record as stored.
            var record = TaskRecord.ParseOrRaw((byte[])reply[i + 2]!, diedAtMs);
            letters.Add(new DeadLetter(
                TaskId.Format(keys, (string)reply[i]!),
                keys.TaskType,
                record.Attempt,
                DateTimeOffset.FromUnixTimeMilliseconds(record.ScheduledAtMs),
                DateTimeOffset.FromUnixTimeMilliseconds(record.DueAtMs),
                DateTimeOffset.FromUnixTimeMilliseconds(diedAtMs),
                TaskErrorJson.Parse((string?)reply[i + 3]),
                Encoding.UTF8.GetString(record.Payload.Span)));
        }

        return letters;
    }

    /// <summary>Makes a dead letter due now, with its attempts reset; <see langword="false"/> when it is not dead-lettered.</summary>
    /// <exception cref="InvalidOperationException">Its record is missing or cannot be read (<c>MalformedRecord</c>): it stays a dead letter.</exception>
    public static async Task<bool> RequeueAsync(IDatabaseAsync database, TaskTypeKeys keys, string localId)
        => (int)await RunAsync(database, keys, ["requeue", keys.WakeChannel, localId]).ConfigureAwait(false) switch
        {
            -1 => throw new InvalidOperationException(
                $"Dead letter {TaskId.Format(keys, localId)} cannot be requeued: its record in Redis is missing or not in the format RedisScheduler writes (reason MalformedRecord). " +
                "Write a correct record into the type's tasks hash and requeue it again, or delete it."),
            var requeued => requeued == 1,
        };

    /// <summary>
    /// Requeues the oldest <see cref="RequeueAllBatch"/> letters that died before <paramref name="beforeMs"/>
    /// (Unix ms, server clock), after the first <paramref name="skip"/>; returns how many were requeued, and
    /// how many were kept because their records cannot be read. Repeat with the same time, skipping every
    /// letter kept so far, while the two add up to a full batch.
    /// </summary>
    public static async Task<(int Requeued, int Kept)> RequeueAllAsync(IDatabaseAsync database, TaskTypeKeys keys, long beforeMs, long skip)
    {
        var reply = (RedisResult[])(await RunAsync(database, keys, ["requeue", keys.WakeChannel, "all", beforeMs, skip]).ConfigureAwait(false))!;
        return ((int)reply[0], (int)reply[1]);
    }

    /// <summary>Deletes a dead letter for good; <see langword="false"/> when it is not dead-lettered.</summary>
    public static async Task<bool> DeleteAsync(IDatabaseAsync database, TaskTypeKeys keys, string localId)
        => (int)await RunAsync(database, keys, ["delete", localId]).ConfigureAwait(false) == 1;

    private static Task<RedisResult> RunAsync(IDatabaseAsync database, TaskTypeKeys keys, RedisValue[] args)
        => SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.DeadLetters, keys.All, args);
}
