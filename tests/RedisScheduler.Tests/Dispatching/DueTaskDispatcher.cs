using System.Reflection;
using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Dispatching;

/// <summary>
/// Runs dispatch.lua: moves due tasks of one type to its ready list. Workers do the same inside
/// claim.lua (one round trip instead of two; see docs/design.md), so the package has no use for it:
/// it lives beside the tests that set up "due but not yet ready" states with it, and the benchmark
/// that compares the two designs compiles this same file (linked from RedisScheduler.Benchmarks).
/// </summary>
internal static class DueTaskDispatcher
{
    /// <summary>dispatch.lua as Redis runs it: the library's shared prelude (common.lua) plus its own body, as SchedulerScripts builds every script.</summary>
    public static SchedulerScript Script { get; } = new("dispatch", ReadScript(typeof(SchedulerScripts).Assembly, "RedisScheduler.Scripts.common.lua") + "\n" + ReadScript(typeof(DueTaskDispatcher).Assembly, "RedisScheduler.Dispatching.dispatch.lua"));

    /// <returns>How many tasks moved, the next due time (Unix ms, -1 when none) and the server's clock.</returns>
    public static async Task<(int Moved, long NextDueMs, long NowMs)> DispatchAsync(IDatabaseAsync database, TaskTypeKeys keys, int batchSize)
    {
        var result = (RedisResult[])(await SchedulerScripts.EvaluateAsync(database, Script, keys.All, [batchSize]).ConfigureAwait(false))!;
        return ((int)result[0], (long)result[1], (long)result[2]);
    }

    private static string ReadScript(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The Lua script '{resource}' is not embedded in {assembly.GetName().Name}: check the EmbeddedResource item of dispatch.lua and SchedulerScripts' prelude.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
