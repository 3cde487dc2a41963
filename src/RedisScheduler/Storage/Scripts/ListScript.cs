using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Storage.Scripts;

/// <summary>Calls list.lua: one page of the tasks of a type in one state.</summary>
internal static class ListScript
{
    /// <summary>A page of the tasks in <paramref name="state"/>, in the order list.lua documents; tasks that finish meanwhile are left out.</summary>
    public static async Task<IReadOnlyList<TaskInfo>> ListAsync(IDatabaseAsync database, TaskTypeKeys keys, TaskState state, int offset, int count)
    {
        var stateName = state switch
        {
            TaskState.Scheduled => "scheduled",
            TaskState.Ready => "ready",
            TaskState.Processing => "processing",
            TaskState.DeadLettered => "dead",
            TaskState.Waiting => "waiting",
            TaskState.Failed => "failed",
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Pick one of the TaskState values."),
        };
        var reply = await RunAsync(database, keys, stateName, offset, count).ConfigureAwait(false);
        var tasks = new List<TaskInfo>(reply.Length / 3);
        for (var i = 0; i + 2 < reply.Length; i += 3)
        {
            tasks.Add(TaskRecord.ParseOrRaw((byte[])reply[i + 1]!, 0).ToTaskInfo(TaskId.Format(keys, (string)reply[i]!), keys.TaskType, state, (string?)reply[i + 2]));
        }

        return tasks;
    }

    /// <summary>A page of the succeeded history, newest first.</summary>
    public static async Task<IReadOnlyList<SucceededTask>> ListSucceededAsync(IDatabaseAsync database, TaskTypeKeys keys, int offset, int count)
    {
        var reply = await RunAsync(database, keys, "succeeded", offset, count).ConfigureAwait(false);
        var tasks = new List<SucceededTask>(reply.Length / 3);
        for (var i = 0; i + 2 < reply.Length; i += 3)
        {
            var resultJson = (string?)reply[i + 2];
            tasks.Add(new SucceededTask(
                TaskId.Format(keys, (string)reply[i]!),
                DateTimeOffset.FromUnixTimeMilliseconds((long)reply[i + 1]),
                string.IsNullOrEmpty(resultJson) ? null : resultJson));
        }

        return tasks;
    }

    private static async Task<RedisResult[]> RunAsync(IDatabaseAsync database, TaskTypeKeys keys, string state, int offset, int count)
        => (RedisResult[])(await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.List, keys.All, [state, offset, count]).ConfigureAwait(false))!;
}
