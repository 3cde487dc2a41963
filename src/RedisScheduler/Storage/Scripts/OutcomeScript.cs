using StackExchange.Redis;

namespace RedisScheduler.Storage.Scripts;

/// <summary>Calls outcome.lua: how a task ended, and the count of callers waiting for tasks of its type.</summary>
internal static class OutcomeScript
{
    /// <summary>What the call does to the type's waiter count (which makes workers announce what they finish).</summary>
    public enum Waiter
    {
        /// <summary>Leaves the count alone.</summary>
        Peek,

        /// <summary>Counts the caller as a waiter.</summary>
        Wait,

        /// <summary>Keeps the count from expiring while the caller still waits.</summary>
        Refresh,

        /// <summary>Uncounts the caller.</summary>
        Leave,
    }

    /// <returns>How the task ended, or <see langword="null"/> while it is scheduled, ready or running.</returns>
    public static async Task<TaskCompletion?> RunAsync(IDatabaseAsync database, TaskTypeKeys keys, string taskId, string localId, Waiter waiter)
    {
        var mode = waiter switch
        {
            Waiter.Wait => "wait",
            Waiter.Refresh => "refresh",
            Waiter.Leave => "leave",
            _ => "peek",
        };
        var reply = (RedisResult[])(await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Outcome, keys.All, [localId, mode]).ConfigureAwait(false))!;
        return (string)reply[0]! switch
        {
            "succeeded" => new TaskCompletion(taskId, TaskOutcome.Succeeded, reply[1].IsNull ? null : (string)reply[1]!, null),
            "dead" => new TaskCompletion(taskId, TaskOutcome.DeadLettered, null, TaskErrorJson.Parse((string?)reply[1])),
            "gone" => new TaskCompletion(taskId, TaskOutcome.Finished, null, null),
            _ => null,
        };
    }
}
