using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Handling;

/// <summary>
/// ack.lua's arguments and reply. One call acknowledges a batch: five arguments for the call (the
/// last three the batch's lateness, see <see cref="SetLateness"/>), then four per task (see the script's header).
/// </summary>
internal static class AckScript
{
    private const int CallArguments = 5;
    private static readonly RedisValue Zero = 0;
    private const int ArgumentsPerTask = 4;

    /// <summary>Arguments for <paramref name="tasks"/> tasks, each filled in with <see cref="SetTask"/>.</summary>
    public static ScriptCall Create(TaskTypeKeys keys, int succeededHistoryLimit, int tasks)
    {
        var args = new RedisValue[CallArguments + (tasks * ArgumentsPerTask)];
        args[0] = keys.DoneChannel;
        args[1] = succeededHistoryLimit;
        args[2] = args[3] = args[4] = Zero;
        return new(SchedulerScripts.Instance.Ack, args);
    }

    /// <summary>
    /// The <paramref name="index"/>th task of the call: a task past its first attempt may have a last
    /// error to delete too, and a handler with a result stores it.
    /// </summary>
    public static void SetTask(ScriptCall call, int index, ClaimedTask task, byte[]? result)
    {
        var into = call.Arguments.AsSpan(CallArguments + (index * ArgumentsPerTask), ArgumentsPerTask);
        into[0] = task.LocalId;
        into[1] = task.Token;
        into[2] = task.Record.Attempt > 1 ? "1" : "0";
        into[3] = result is null ? RedisValue.EmptyString : (RedisValue)result;
    }

    /// <summary>The lateness of the batch's tasks, for the minute's activity bucket: added once per call, not per task.</summary>
    public static void SetLateness(ScriptCall call, LatenessTally lateness)
    {
        call.Arguments[2] = lateness.Samples;
        call.Arguments[3] = lateness.SumMs;
        call.Arguments[4] = lateness.MaxMs;
    }

    /// <summary>The reply: how many continuation notices were written, then the ids whose lease was lost.</summary>
    public static AckReply ParseReply(RedisResult reply) => new((RedisResult[])reply!);
}

/// <summary>What one ack.lua call answered.</summary>
internal readonly struct AckReply(RedisResult[] values)
{
    /// <summary>Whether continuations wait to hear of these tasks (the outbox has new entries).</summary>
    public bool NotifiedContinuations => (long)values[0] > 0;

    /// <summary>The local ids of tasks whose lease was lost: they were not acknowledged.</summary>
    // Nearly always none: no enumerator is made for them (this runs once per batch on the hot path).
    public IEnumerable<string> LeaseLost => values.Length == 1 ? [] : values.Skip(1).Select(id => (string)id!);

    /// <summary>How many tasks lost their lease (<see cref="LeaseLost"/>), without reading their ids.</summary>
    public int LeaseLostCount => values.Length - 1;
}
