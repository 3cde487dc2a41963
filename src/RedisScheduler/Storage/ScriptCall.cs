using StackExchange.Redis;

namespace RedisScheduler.Storage;

/// <summary>
/// One call of a script: the script and its arguments in the order it reads them, built by the
/// script's wrapper, which also parses the reply. Sent with the keys of one task type that the script receives (<see cref="TaskTypeKeys.For"/>).
/// </summary>
internal readonly record struct ScriptCall(SchedulerScript Script, RedisValue[] Arguments)
{
    public Task<RedisResult> EvaluateAsync(IDatabaseAsync database, TaskTypeKeys keys)
        => SchedulerScripts.EvaluateAsync(database, Script, keys.For(Script), Arguments);
}
