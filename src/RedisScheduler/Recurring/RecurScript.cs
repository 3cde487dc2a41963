using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Recurring;

/// <summary>recur.lua's arguments and reply: one due occurrence becomes a task (or is skipped) and the schedule moves on, if no other instance did it first.</summary>
internal static class RecurScript
{
    /// <param name="keys">The task type's keys.</param>
    /// <param name="occurrence">The occurrence this instance saw: the compare-and-set guard.</param>
    /// <param name="next">The next occurrence (Unix ms), or <see langword="null"/> when the schedule never fires again.</param>
    /// <param name="run">Whether to schedule a task for this occurrence (<see langword="false"/> for a misfire the policy skips).</param>
    public static ScriptCall Create(TaskTypeKeys keys, DueOccurrence occurrence, long? next, bool run)
        => new(SchedulerScripts.Instance.Recur, [occurrence.Name, occurrence.OccurrenceMs, next is { } n ? n : RedisValue.EmptyString, run ? "1" : "0", keys.WakeChannel]);

    /// <returns><see langword="true"/> when this call advanced the schedule; <see langword="false"/> when another instance already had.</returns>
    public static bool ParseReply(RedisResult reply) => (int)reply == 1;
}
