using StackExchange.Redis;

namespace RedisScheduler.Storage.Scripts;

/// <summary>Calls continue.lua: creates a continuation, a task that waits until each of its parents has ended.</summary>
internal static class ContinueScript
{
    /// <summary>Throws for a policy continue.lua has no code for, so a caller can fail before writing anything.</summary>
    public static void ThrowIfInvalid(ParentFailurePolicy policy) => PolicyCode(policy);

    /// <param name="database">The connection.</param>
    /// <param name="keys">The continuation's type.</param>
    /// <param name="onParentFailure">What happens to it when a parent is dead-lettered or cancelled.</param>
    /// <param name="payload">Its payload (JSON).</param>
    /// <param name="parentTaskIds">The public ids of its parents, distinct; depend.lua registers it with them next.</param>
    /// <returns>The continuation's local id.</returns>
    public static async Task<string> RunAsync(IDatabaseAsync database, TaskTypeKeys keys, ParentFailurePolicy onParentFailure, RedisValue payload, IReadOnlyCollection<string> parentTaskIds)
        => (string)(await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Continue, keys.All, Args(onParentFailure, payload, parentTaskIds)).ConfigureAwait(false))!;

    /// <summary>The arguments of <see cref="RunAsync"/>'s call, for a caller that sends it itself (<see cref="ReplicaWait"/>); the reply is the local id.</summary>
    public static RedisValue[] Args(ParentFailurePolicy onParentFailure, RedisValue payload, IReadOnlyCollection<string> parentTaskIds)
    {
        var args = new RedisValue[2 + parentTaskIds.Count];
        args[0] = PolicyCode(onParentFailure);
        args[1] = payload;
        var i = 2;
        foreach (var id in parentTaskIds)
        {
            args[i++] = id;
        }

        return args;
    }

    private static RedisValue PolicyCode(ParentFailurePolicy policy) => policy switch
    {
        ParentFailurePolicy.Cancel => "c",
        ParentFailurePolicy.RunAnyway => "r",
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "Use ParentFailurePolicy.Cancel or ParentFailurePolicy.RunAnyway."),
    };
}
