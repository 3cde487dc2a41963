using StackExchange.Redis;

namespace RedisScheduler.Storage.Scripts;

/// <summary>Calls continue.lua: creates a continuation, a task that waits until each of its parents has ended.</summary>
internal static class ContinueScript
{
    /// <summary>Throws for a policy continue.lua has no code for, so a caller can fail before writing anything.</summary>
    public static void ThrowIfInvalid(ParentFailurePolicy policy) => PolicyCode(policy);

    /// <summary>The call, on the continuation's type, sent through <see cref="ReplicatedWrites"/>; its reply is read by <see cref="Parse"/>.</summary>
    /// <param name="onParentFailure">What happens to it when a parent is dead-lettered or cancelled.</param>
    /// <param name="payload">Its payload (JSON).</param>
    /// <param name="parentTaskIds">The public ids of its parents, distinct; depend.lua registers it with them next.</param>
    public static ScriptCall Call(ParentFailurePolicy onParentFailure, RedisValue payload, IReadOnlyCollection<string> parentTaskIds)
    {
        var args = new RedisValue[2 + parentTaskIds.Count];
        args[0] = PolicyCode(onParentFailure);
        args[1] = payload;
        var i = 2;
        foreach (var id in parentTaskIds)
        {
            args[i++] = id;
        }

        return new ScriptCall(SchedulerScripts.Instance.Continue, args);
    }

    /// <summary>The continuation's local id, from the reply of a <see cref="Call"/>.</summary>
    public static string Parse(RedisResult reply) => (string)reply!;

    private static RedisValue PolicyCode(ParentFailurePolicy policy) => policy switch
    {
        ParentFailurePolicy.Cancel => "c",
        ParentFailurePolicy.RunAnyway => "r",
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "Use ParentFailurePolicy.Cancel or ParentFailurePolicy.RunAnyway."),
    };
}
