using StackExchange.Redis;

namespace RedisScheduler.Storage.Scripts;

/// <summary>Calls resolve.lua: tells a continuation how some of its parents ended. Safe to repeat.</summary>
internal static class ResolveScript
{
    /// <summary>Where the continuation stands after the call.</summary>
    public enum Result
    {
        /// <summary>It still waits for other parents (or is unknown, or no longer waiting).</summary>
        Waiting = 0,

        /// <summary>No parent is pending any more: it became ready.</summary>
        Ready = 1,

        /// <summary>A parent failed and its policy cancelled it.</summary>
        Cancelled = 2,

        /// <summary>Cancelled, and its own continuations must hear of it: its type's outbox has entries.</summary>
        CancelledWithContinuations = 3,
    }

    /// <param name="database">The connection.</param>
    /// <param name="keys">The continuation's type.</param>
    /// <param name="localId">The continuation's local id.</param>
    /// <param name="ends">How some of its parents ended.</param>
    public static async Task<Result> RunAsync(IDatabaseAsync database, TaskTypeKeys keys, string localId, IReadOnlyCollection<ParentEnd> ends)
        => Parse(await Call(keys, localId, ends).EvaluateAsync(database, keys).ConfigureAwait(false));

    /// <summary>The call <see cref="RunAsync"/> makes, for a caller that sends it through <see cref="ReplicatedWrites"/>; its reply is read by <see cref="Parse"/>.</summary>
    public static ScriptCall Call(TaskTypeKeys keys, string localId, IReadOnlyCollection<ParentEnd> ends)
    {
        var args = new RedisValue[3 + (3 * ends.Count)];
        (args[0], args[1], args[2]) = (localId, keys.WakeChannel, keys.DoneChannel);
        var i = 3;
        foreach (var end in ends)
        {
            (args[i], args[i + 1], args[i + 2]) = (end.ParentTaskId, end.Outcome, end.Detail);
            i += 3;
        }

        return new ScriptCall(SchedulerScripts.Instance.Resolve, args);
    }

    /// <summary>Where the continuation stands, from the reply of a <see cref="Call"/>.</summary>
    public static Result Parse(RedisResult reply) => (Result)(int)reply;
}

/// <summary>How a parent ended: its public id, the outcome code ('s' succeeded, 'd' dead-lettered, 'c' cancelled) and its result or last error (JSON, or '').</summary>
internal readonly record struct ParentEnd(string ParentTaskId, string Outcome, string Detail);
