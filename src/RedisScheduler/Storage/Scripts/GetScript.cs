using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Storage.Scripts;

/// <summary>Calls get.lua: one task's state, record and last error.</summary>
internal static class GetScript
{
    /// <returns>The task, or <see langword="null"/> when it is unknown or finished.</returns>
    public static async Task<TaskInfo?> RunAsync(IDatabaseAsync database, TaskTypeKeys keys, string localId)
    {
        var reply = await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Get, keys.All, [localId]).ConfigureAwait(false);
        if (reply.IsNull)
        {
            return null;
        }

        var state = (string)reply[0]! switch
        {
            "scheduled" => TaskState.Scheduled,
            "ready" => TaskState.Ready,
            "dead" => TaskState.DeadLettered,
            "waiting" => TaskState.Waiting,
            "failed" => TaskState.Failed,
            _ => TaskState.Processing,
        };
        return TaskRecord.ParseOrRaw((byte[])reply[1]!, 0).ToTaskInfo(TaskId.Format(keys, localId), keys.TaskType, state, (string?)reply[2]);
    }
}
