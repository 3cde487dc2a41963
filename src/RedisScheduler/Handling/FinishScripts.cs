using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Handling;

/// <summary>
/// The arguments of the three scripts that end a delivery other than by success: retry.lua,
/// dead.lua and release.lua, each fenced by the delivery's lease (see <c>take_lease</c> in
/// common.lua). Their reply is a <see cref="FinishReply"/>.
/// </summary>
internal static class FinishScripts
{
    /// <summary>retry.lua: the task goes back into the schedule, due after <paramref name="delay"/>, keeping <paramref name="errorJson"/> as its last error.</summary>
    /// <param name="keys">The task type's keys.</param>
    /// <param name="task">The delivery that failed.</param>
    /// <param name="delay">How long until the next attempt.</param>
    /// <param name="errorJson">The error of this attempt.</param>
    /// <param name="latenessMs">How late this attempt started, if known: counted in the minute's activity bucket.</param>
    /// <param name="traceParent">The traceparent of the failed attempt's span, when it had one: the next attempt's span links to it.</param>
    public static ScriptCall Retry(TaskTypeKeys keys, ClaimedTask task, TimeSpan delay, string errorJson, long? latenessMs = null, string? traceParent = null)
        => new(
            SchedulerScripts.Instance.Retry,
            traceParent is null
                ? [task.LocalId, task.Token, (long)delay.TotalMilliseconds, keys.WakeChannel, errorJson, Lateness(latenessMs)]
                : [task.LocalId, task.Token, (long)delay.TotalMilliseconds, keys.WakeChannel, errorJson, Lateness(latenessMs), traceParent]);

    /// <summary>dead.lua: the task moves to the dead letters with <paramref name="errorJson"/> as the reason.</summary>
    public static ScriptCall Dead(TaskTypeKeys keys, ClaimedTask task, string errorJson, long? latenessMs = null)
        => new(SchedulerScripts.Instance.Dead, [task.LocalId, task.Token, errorJson, keys.DoneChannel, Lateness(latenessMs)]);

    /// <summary>release.lua: the task goes to the front of its ready list, its attempt given back (the worker is stopping).</summary>
    public static ScriptCall Release(TaskTypeKeys keys, ClaimedTask task)
        => new(SchedulerScripts.Instance.Release, [task.LocalId, task.Token, keys.WakeChannel]);

    private static RedisValue Lateness(long? ms) => ms is { } value ? value : RedisValue.EmptyString;

    public static FinishReply ParseReply(RedisResult reply) => (FinishReply)(int)reply;
}
