using System.Reflection;
using StackExchange.Redis;

namespace RedisScheduler.Storage;

/// <summary>
/// The embedded Lua scripts, called by SHA with EVALSHA, each in the variant for the connection's kind
/// of Redis (<see cref="SchedulerScript.For"/>). When Redis answers NOSCRIPT (it restarted,
/// failed over, or ran SCRIPT FLUSH) the script is sent once in full with EVAL, which caches it again.
/// </summary>
internal sealed class SchedulerScripts
{
    public static readonly SchedulerScripts Instance = new();

    private SchedulerScripts()
    {
        Common = new LuaPrelude(ReadResource("common"));
        SchedulerScript Load(string name, bool usedKeysOnly = false)
        {
            var composed = Common.Compose(name, ReadResource(name), usedKeysOnly);
            return new(name, composed.Text, composed.KeyIndices);
        }

        // Only the keys it uses: the path of every task scheduled one at a time, where passing the
        // other thirteen cost Redis 1-2.5 µs per call (benchmarks/README.md, single call).
        Schedule = Load("schedule", usedKeysOnly: true);
        Claim = Load("claim");
        Ack = Load("ack");
        Retry = Load("retry");
        Release = Load("release");
        Renew = Load("renew");
        Cancel = Load("cancel");
        Get = Load("get");
        Dead = Load("dead");
        Reschedule = Load("reschedule");
        List = Load("list");
        Recur = Load("recur");
        Define = Load("define");
        Outcome = Load("outcome");
        DeadLetters = Load("deadletters");
        Continue = Load("continue");
        Depend = Load("depend");
        Resolve = Load("resolve");
        Registry = Load("registry");
        Health = Load("health");
        Timeline = Load("timeline");
        Activity = Load("activity");
    }

    /// <summary>common.lua, whole, with all twenty keys; tests run its helpers on their own.</summary>
    public string Prelude => Common.Text;

    /// <summary>common.lua, from which each script takes the helpers it uses.</summary>
    public LuaPrelude Common { get; }

    public SchedulerScript Schedule { get; }

    public SchedulerScript Claim { get; }

    public SchedulerScript Ack { get; }

    public SchedulerScript Retry { get; }

    public SchedulerScript Release { get; }

    public SchedulerScript Renew { get; }

    public SchedulerScript Cancel { get; }

    public SchedulerScript Get { get; }

    public SchedulerScript Dead { get; }

    public SchedulerScript Reschedule { get; }

    public SchedulerScript List { get; }

    public SchedulerScript Recur { get; }

    public SchedulerScript Define { get; }

    public SchedulerScript Outcome { get; }

    public SchedulerScript DeadLetters { get; }

    public SchedulerScript Continue { get; }

    public SchedulerScript Depend { get; }

    public SchedulerScript Resolve { get; }

    public SchedulerScript Registry { get; }

    public SchedulerScript Health { get; }

    public SchedulerScript Timeline { get; }

    public SchedulerScript Activity { get; }

    /// <summary>Runs <paramref name="script"/> with the keys of <paramref name="keys"/> it receives (<see cref="TaskTypeKeys.For"/>).</summary>
    public static Task<RedisResult> EvaluateAsync(IDatabaseAsync database, SchedulerScript script, TaskTypeKeys keys, RedisValue[] args)
        => EvaluateAsync(database, script, keys.For(script), args);

    public static async Task<RedisResult> EvaluateAsync(IDatabaseAsync database, SchedulerScript script, RedisKey[] keys, RedisValue[] args)
    {
        CheckKeys(script, keys);
        script = script.For(database.Multiplexer);
        try
        {
            return await database.ScriptEvaluateAsync(script.Sha1, keys, args).ConfigureAwait(false);
        }
        catch (RedisServerException e) when (IsNoScript(e))
        {
            return await database.ScriptEvaluateAsync(script.Text, keys, args).ConfigureAwait(false);
        }
    }

    /// <summary>The synchronous <see cref="EvaluateAsync(IDatabaseAsync, SchedulerScript, TaskTypeKeys, RedisValue[])"/>.</summary>
    public static RedisResult Evaluate(IDatabase database, SchedulerScript script, TaskTypeKeys keys, RedisValue[] args)
        => Evaluate(database, script, keys.For(script), args);

    public static RedisResult Evaluate(IDatabase database, SchedulerScript script, RedisKey[] keys, RedisValue[] args)
    {
        CheckKeys(script, keys);
        script = script.For(database.Multiplexer);
        try
        {
            return database.ScriptEvaluate(script.Sha1, keys, args);
        }
        catch (RedisServerException e) when (IsNoScript(e))
        {
            return database.ScriptEvaluate(script.Text, keys, args);
        }
    }

    /// <summary>
    /// Fails a call that passes a script all twenty keys when it reads only the ones it uses (or the
    /// other way round): its key names would point at the wrong keys. A bug, caught before any write.
    /// </summary>
    private static void CheckKeys(SchedulerScript script, RedisKey[] keys)
    {
        if (script.KeyIndices is { } used && keys.Length != used.Length)
        {
            throw new InvalidOperationException($"{script.Name}.lua receives only the {used.Length} keys it uses: pass TaskTypeKeys.For(script), not {keys.Length} keys.");
        }
    }

    internal static bool IsNoScript(RedisServerException e) => e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal);

    private static string ReadResource(string name)
    {
        var resource = $"RedisScheduler.Scripts.{name}.lua";
        using var stream = typeof(SchedulerScripts).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded Lua script '{resource}' is missing from the RedisScheduler assembly; the package is damaged.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
