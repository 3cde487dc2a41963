using RedisScheduler.Recurring;
using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Handling;

/// <summary>Calls claim.lua and reads its reply; shared by <see cref="TaskClaimer"/>, the tests and the benchmarks, so both measure the same call.</summary>
internal static class ClaimScript
{
    private static readonly string LeaseExpiredReason = TaskErrorJson.Serialize(new TaskError(
        "LeaseExpired",
        "The worker holding the task stopped renewing its lease (it died or stalled) on the task's last attempt.",
        null));

    /// <summary>The reason (<see cref="TaskError.ExceptionType"/>) of a dead letter whose record is missing or cannot be read.</summary>
    internal const string MalformedRecord = "MalformedRecord";

    private static readonly string MalformedRecordReason = TaskErrorJson.Serialize(new TaskError(
        MalformedRecord,
        "The task's id was listed but its record in Redis is missing, or not in the format RedisScheduler writes ('<flag><attempt>|<scheduledAt>|<dueAt>|<payload>'): " +
        "it was edited by hand or written by another program. The record is kept, marked dead by a 'd' in place of its flag or in front of it, and shown as the dead letter's PayloadJson; " +
        "write a correct record (HSET) and requeue the task, or delete it.",
        null));

    /// <param name="database">The connection.</param>
    /// <param name="keys">The task type's keys.</param>
    /// <param name="wanted">The most tasks to take (the worker's free slots).</param>
    /// <param name="options">Lease duration and promotion batch.</param>
    /// <param name="maxAttempts">The attempt limit, for tasks whose lease ran out on their last attempt.</param>
    /// <param name="inFlightLimit">The cluster-wide limit of running tasks of the type; 0 for none.</param>
    /// <param name="startsPerSecond">The cluster-wide limit of starts per second; 0 for none.</param>
    /// <param name="sweepDeadLettersOlderThan">Deletes dead letters older than this in the same call; <see langword="null"/> to skip.</param>
    /// <param name="sweepResultsOlderThan">Deletes stored results older than this in the same call; <see langword="null"/> to skip.</param>
    /// <param name="time">The clock that times the claim's reply, for lateness (<see cref="ClaimCall"/>).</param>
    /// <returns>The tasks taken, the server's clock, when anything can next change (Unix ms, -1 for nothing pending), and recurring occurrences that are due.</returns>
    public static async Task<ClaimResult> RunAsync(
        IDatabaseAsync database, TaskTypeKeys keys, int wanted, RedisSchedulerOptions options, int maxAttempts, int inFlightLimit = 0, int startsPerSecond = 0, TimeSpan? sweepDeadLettersOlderThan = null, TimeSpan? sweepResultsOlderThan = null, TimeProvider? time = null)
    {
        var result = (RedisResult[])(await SchedulerScripts.EvaluateAsync(
            database,
            SchedulerScripts.Instance.Claim,
            keys.All,
            [wanted, (long)options.LeaseDuration.TotalMilliseconds, options.DispatchBatchSize, maxAttempts, LeaseExpiredReason, inFlightLimit, startsPerSecond,
                (long)(sweepDeadLettersOlderThan?.TotalMilliseconds ?? 0), (long)(sweepResultsOlderThan?.TotalMilliseconds ?? 0), keys.DoneChannel, MalformedRecordReason]).ConfigureAwait(false))!;
        var occurrenceCount = (int)result[2];
        // One token for every task of the call (see claim.lua), kept once with the server's clock.
        var call = new ClaimCall((string)result[3]!, (long)result[0], (time ?? TimeProvider.System).GetTimestamp(), keys.IdType);
        var occurrences = new List<DueOccurrence>(occurrenceCount);
        var i = 4;
        for (; occurrences.Count < occurrenceCount; i += 3)
        {
            occurrences.Add(new DueOccurrence((string)result[i]!, (long)result[i + 1], (string)result[i + 2]!));
        }

        var claimed = new List<ClaimedTask>((result.Length - i) / 2);
        for (; i + 1 < result.Length; i += 2)
        {
            var localId = (string)result[i]!;
            if (TaskRecord.TryParse((byte[])result[i + 1]!, out var record))
            {
                claimed.Add(new ClaimedTask(localId, call, record));
            }
            else
            {
                // claim.lua checks the layout, not the size of numbers: one that overflows fails here,
                // and only its own task, which goes to the dead letters now instead of failing the claim.
                await FinishScripts.Dead(keys, new ClaimedTask(localId, call, default), MalformedRecordReason).EvaluateAsync(database, keys).ConfigureAwait(false);
            }
        }

        var nowUs = call.ServerNowMicroseconds;
        return new ClaimResult(claimed, nowUs / 1000, nowUs, (long)result[1], occurrences);
    }
}

/// <summary>What one claim.lua call returned.</summary>
internal sealed record ClaimResult(IReadOnlyList<ClaimedTask> Claimed, long NowMs, long NowMicroseconds, long NextWakeMs, IReadOnlyList<DueOccurrence> Occurrences);

