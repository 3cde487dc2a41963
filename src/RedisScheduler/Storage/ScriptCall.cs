using StackExchange.Redis;

namespace RedisScheduler.Storage;

/// <summary>
/// One call of a script: the script and its arguments in the order it reads them, built by the
/// script's wrapper, which also parses the reply. Sent with the twenty keys of one task type.
/// </summary>
internal readonly record struct ScriptCall(SchedulerScript Script, RedisValue[] Arguments)
{
    public Task<RedisResult> EvaluateAsync(IDatabaseAsync database, TaskTypeKeys keys)
        => SchedulerScripts.EvaluateAsync(database, Script, keys.All, Arguments);
}
