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
        Prelude = ReadResource("common");
        SchedulerScript Load(string name) => new(name, Prelude + "\n" + ReadResource(name));
        Schedule = Load("schedule");
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

    /// <summary>common.lua, the helpers every script starts with; tests run them on their own.</summary>
    public string Prelude { get; }

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

    public static async Task<RedisResult> EvaluateAsync(IDatabaseAsync database, SchedulerScript script, RedisKey[] keys, RedisValue[] args)
    {
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

    public static RedisResult Evaluate(IDatabase database, SchedulerScript script, RedisKey[] keys, RedisValue[] args)
    {
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
