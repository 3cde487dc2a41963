using StackExchange.Redis;

namespace RedisScheduler.Storage.Scripts;

/// <summary>Calls timeline.lua and activity.lua: the read-only chart data of one task type.</summary>
internal static class DashboardScripts
{
    private const int TimelineMinutes = 60;
    private const int TimelineHours = 24;

    /// <summary>The due-time timeline from the minute and hour of <paramref name="from"/>, or of the server's now.</summary>
    public static async Task<DueTimeline> TimelineAsync(IDatabaseAsync database, TaskTypeKeys keys, DateTimeOffset? from)
    {
        var reply = (long[])(await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Timeline, keys.All, TimeArgument(from)).ConfigureAwait(false))!;
        return new DueTimeline(
            keys.TaskType,
            DateTimeOffset.FromUnixTimeMilliseconds(reply[0]),
            DateTimeOffset.FromUnixTimeMilliseconds(reply[1]),
            reply[3..(3 + TimelineMinutes)],
            DateTimeOffset.FromUnixTimeMilliseconds(reply[2]),
            reply[(3 + TimelineMinutes)..(3 + TimelineMinutes + TimelineHours)]);
    }

    /// <summary>The 60 activity buckets up to the minute of <paramref name="until"/>, or of the server's now.</summary>
    public static async Task<TaskActivity> ActivityAsync(IDatabaseAsync database, TaskTypeKeys keys, DateTimeOffset? until)
    {
        var reply = (RedisResult[])(await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Activity, keys.All, TimeArgument(until)).ConfigureAwait(false))!;
        var firstMinute = (long)reply[1];
        var minutes = new MinuteActivity[reply.Length - 2];
        for (var i = 0; i < minutes.Length; i++)
        {
            minutes[i] = ActivityBucket.Parse((string?)reply[i + 2]).ToMinuteActivity(DateTimeOffset.FromUnixTimeMilliseconds((firstMinute + i) * 60_000));
        }

        return new TaskActivity(keys.TaskType, DateTimeOffset.FromUnixTimeMilliseconds((long)reply[0]), minutes);
    }

    private static RedisValue[] TimeArgument(DateTimeOffset? at) => at is { } time ? [time.ToUnixTimeMilliseconds()] : [];
}
