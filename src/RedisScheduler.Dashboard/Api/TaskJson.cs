namespace RedisScheduler.Dashboard.Api;

/// <summary>A task as the API shows it: payload only when <see cref="RedisSchedulerDashboardOptions.ShowPayloads"/>.</summary>
internal static class TaskJson
{
    public static object Of(TaskInfo task, RedisSchedulerDashboardOptions options, BatchProgress? batch = null) => new
    {
        task.Id,
        task.TaskType,
        State = StateName(task.State),
        task.Attempt,
        task.ScheduledAt,
        task.DueAt,
        Payload = DashboardJson.Embed(task.PayloadJson, options.ShowPayloads),
        task.LastError,
        Batch = batch,
    };

    public static string StateName(TaskState state) => state == TaskState.DeadLettered ? "dead" : state.ToString().ToLowerInvariant();
}
