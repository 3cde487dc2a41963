using System.Globalization;
using StackExchange.Redis;

namespace RedisScheduler.Storage.Scripts;

/// <summary>
/// Calls schedule.lua, whose arguments are three fixed ones and then a pair (due, payload) per task.
/// A batch builds its argument arrays itself, one per call, so this hands out the arrays and fills
/// them rather than copying a list: a batch may hold a million tasks.
/// </summary>
internal static class ScheduleScript
{
    private const int Fixed = 3;
    private static readonly RedisValue Absolute = "abs";
    private static readonly RedisValue Relative = "rel";

    /// <summary>Arguments for <paramref name="count"/> tasks with generated ids; fill them with <see cref="SetTask"/>.</summary>
    /// <param name="keys">The task type's keys.</param>
    /// <param name="relative">Whether each due value is a delay in ms from the server's now, rather than a Unix time in ms.</param>
    /// <param name="priorityPrefix">The prefix of the generated ids (<see cref="Storage.TaskIdPrefix.For"/>).</param>
    /// <param name="count">How many tasks the call adds.</param>
    /// <param name="trace">The trace context to store with each task (<see cref="StoredTraceContext.Capture"/>); <see langword="null"/> for none, which costs no byte.</param>
    public static RedisValue[] GeneratedIds(TaskTypeKeys keys, bool relative, string priorityPrefix, int count, string? trace = null)
        => Arguments(keys, relative, priorityPrefix, count, trace);

    /// <summary>
    /// Arguments for <paramref name="count"/> tasks taking the generated ids reserved from
    /// <paramref name="firstReserved"/> on, each registered as a parent of the continuation
    /// <paramref name="continuationId"/> in the same call; fill them with <see cref="SetTask"/>.
    /// </summary>
    public static RedisValue[] ReservedIds(TaskTypeKeys keys, long firstReserved, string continuationId, int count)
        => Arguments(keys, relative: true, "#" + firstReserved.ToString(CultureInfo.InvariantCulture) + "|" + continuationId, count, trace: null);

    /// <summary>Sets the due value (see <see cref="GeneratedIds"/>) and payload of the task at <paramref name="index"/>.</summary>
    public static void SetTask(RedisValue[] args, int index, RedisValue due, RedisValue payload)
    {
        args[Fixed + (2 * index)] = due;
        args[Fixed + (2 * index) + 1] = payload;
    }

    /// <summary>Points arguments made for one partition's keys at <paramref name="keys"/>, another partition of the same type.</summary>
    public static void MoveTo(RedisValue[] args, TaskTypeKeys keys) => args[0] = keys.WakeChannel;

    /// <summary>How many tasks arguments made here hold.</summary>
    public static int TaskCount(RedisValue[] args) => (args.Length - Fixed) / 2;

    /// <summary>Drops the tasks from <paramref name="count"/> on, for a last call that is not full.</summary>
    public static void Truncate(ref RedisValue[] args, int count) => Array.Resize(ref args, Fixed + (2 * count));

    /// <summary>Schedules the tasks of <paramref name="args"/>; returns the sequence number of the first id, the others following it in argument order.</summary>
    public static async Task<long> RunAsync(IDatabaseAsync database, TaskTypeKeys keys, RedisValue[] args)
        => (long)await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Schedule, keys, args).ConfigureAwait(false);

    /// <summary>The synchronous <see cref="RunAsync"/>, for the synchronous API.</summary>
    public static long Run(IDatabase database, TaskTypeKeys keys, RedisValue[] args)
        => (long)SchedulerScripts.Evaluate(database, SchedulerScripts.Instance.Schedule, keys, args);

    /// <summary>Schedules one task with a generated id; returns its sequence number.</summary>
    public static Task<long> RunOneAsync(IDatabaseAsync database, TaskTypeKeys keys, bool relative, string priorityPrefix, long due, RedisValue payload, string? trace = null)
        => RunAsync(database, keys, One(keys, relative, priorityPrefix, due, payload, trace));

    /// <summary>The arguments of <see cref="RunOneAsync"/>.</summary>
    public static RedisValue[] One(TaskTypeKeys keys, bool relative, string priorityPrefix, long due, RedisValue payload, string? trace)
    {
        var args = GeneratedIds(keys, relative, priorityPrefix, 1, trace);
        SetTask(args, 0, due, payload);
        return args;
    }

    /// <summary>The arguments of <see cref="RunOnceAsync"/>.</summary>
    public static RedisValue[] Once(TaskTypeKeys keys, string localId, long dueAtMs, RedisValue payload, string? trace)
    {
        var args = Arguments(keys, relative: false, localId, 1, trace);
        SetTask(args, 0, dueAtMs, payload);
        return args;
    }

    /// <summary>Whether a <see cref="RunOnceAsync"/> call created its task: <see langword="false"/> when one with that id existed.</summary>
    public static bool Created(RedisResult reply) => !reply[0].IsNull;

    /// <summary>Schedules one task under the caller's <paramref name="localId"/>, due at a Unix time in ms; <see langword="false"/> when a task with that id exists already.</summary>
    public static async Task<bool> RunOnceAsync(IDatabaseAsync database, TaskTypeKeys keys, string localId, long dueAtMs, RedisValue payload, string? trace = null)
        => Created(await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Schedule, keys, Once(keys, localId, dueAtMs, payload, trace)).ConfigureAwait(false));

    private static RedisValue[] Arguments(TaskTypeKeys keys, bool relative, RedisValue ids, int count, string? trace)
    {
        var args = new RedisValue[Fixed + (2 * count)];
        args[0] = keys.WakeChannel;
        // The trace context rides on the mode argument, so a call without one sends no extra byte.
        args[1] = trace is null ? (relative ? Relative : Absolute) : (relative ? "rel" : "abs") + trace;
        args[2] = ids;
        return args;
    }
}
