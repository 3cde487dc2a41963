using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RedisScheduler.Scheduling;
using RedisScheduler.Storage;

namespace RedisScheduler.Dashboard.Api;

/// <summary><c>api/tasks</c>: list, search, read, schedule, cancel, reschedule and run tasks now.</summary>
internal static class TaskEndpoints
{
    public static void Map(RouteGroupBuilder api, RedisSchedulerDashboardOptions options)
    {
        api.MapGet("tasks", (HttpRequest request, ITaskScheduler scheduler, ITaskMonitor monitor, ITaskTypeRegistry registry, CancellationToken ct) => ListAsync(request, options, scheduler, monitor, registry, ct));
        api.MapGet("tasks/{type}/{localId}", (string type, string localId, ITaskScheduler scheduler, CancellationToken ct) => GetAsync(type, localId, options, scheduler, ct));
        api.MapPost("tasks/{type}", ScheduleAsync);
        api.MapDelete("tasks/{type}/{localId}", CancelAsync);
        api.MapPost("tasks/{type}/{localId}/reschedule", RescheduleAsync);
        api.MapPost("tasks/{type}/{localId}/run-now", RunNowAsync);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, RedisSchedulerDashboardOptions options, ITaskScheduler scheduler, ITaskMonitor monitor, ITaskTypeRegistry registry, CancellationToken cancellationToken)
    {
        var query = request.Query;
        if (query["id"].ToString() is { Length: > 0 } id)
        {
            return DashboardInput.CheckTaskId(id, out _, out _) ?? await SearchAsync(id, options, scheduler, cancellationToken).ConfigureAwait(false);
        }

        var type = query["type"].ToString();
        if (DashboardInput.CheckTaskType(type) is { } badType)
        {
            return badType;
        }

        if (query["key"].ToString() is { Length: > 0 } key)
        {
            return await SearchAsync($"{type}/={key}", options, scheduler, cancellationToken).ConfigureAwait(false);
        }

        var badState = DashboardInput.CheckState(query["state"].ToString() is { Length: > 0 } s ? s : "scheduled", out var state);
        var badPage = DashboardInput.CheckPage(Optional(query["offset"]), Optional(query["count"]), options.DefaultPageSize, out var offset, out var count);
        var problem = badState ?? badPage ?? await KnownTaskTypes.CheckAsync(type, monitor, registry, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        IEnumerable<object> items = state is { } listed
            ? (await monitor.ListAsync(type, listed, offset, count, cancellationToken).ConfigureAwait(false)).Select(t => TaskJson.Of(t, options))
            : (await monitor.ListSucceededAsync(type, offset, count, cancellationToken).ConfigureAwait(false)).Select(t => new { t.Id, TaskType = type, State = "succeeded", t.SucceededAt, Result = DashboardJson.Embed(t.ResultJson, options.ShowPayloads) });
        return Results.Json(new { Type = type, State = DashboardInput.States.First(p => p.Value == state).Key, Offset = offset, Count = count, Items = items }, DashboardJson.Options);
    }

    private static async Task<IResult> SearchAsync(string id, RedisSchedulerDashboardOptions options, ITaskScheduler scheduler, CancellationToken cancellationToken)
    {
        var task = await scheduler.GetTaskAsync(id, cancellationToken).ConfigureAwait(false);
        return Results.Json(new { Id = id, Items = task is null ? Array.Empty<object>() : [TaskJson.Of(task, options)] }, DashboardJson.Options);
    }

    private static async Task<IResult> GetAsync(string type, string localId, RedisSchedulerDashboardOptions options, ITaskScheduler scheduler, CancellationToken cancellationToken)
    {
        if ((DashboardInput.CheckTaskIdParts(type, localId)) is { } problem)
        {
            return problem;
        }

        var id = $"{type}/{localId}";
        var task = await scheduler.GetTaskAsync(id, cancellationToken).ConfigureAwait(false);
        if (task is null)
        {
            return DashboardProblems.NotFound($"No pending task '{id}': it finished, was cancelled or never existed (GET api/tasks?type={type}&state=succeeded lists recent successes).");
        }

        var batch = await scheduler.GetBatchProgressAsync(id, cancellationToken).ConfigureAwait(false);
        return Results.Json(TaskJson.Of(task, options, batch), DashboardJson.Options);
    }

    private static async Task<IResult> ScheduleAsync(string type, HttpRequest request, RedisTaskScheduler scheduler, ITaskTypeRegistry registry, PayloadSerializer serializer, TimeProvider time, CancellationToken cancellationToken)
    {
        if (DashboardInput.CheckTaskType(type) is { } problem)
        {
            return problem;
        }

        if (RegisteredPayloads.CheckRegistered(registry, type, out var payloadType) is { } unregistered)
        {
            return unregistered;
        }

        var (body, badBody) = await RequestBody.ReadAsync(request, new ScheduleBody(null, null, null), cancellationToken).ConfigureAwait(false);
        if (badBody is not null)
        {
            return badBody;
        }

        if (body!.Payload is not { } json)
        {
            return DashboardProblems.Invalid("payload", $"The body has no payload: send {{ \"payload\": {{ ... }} }} with the JSON of a {payloadType.Name}.");
        }

        var badPriority = DashboardInput.CheckPriority(body.Priority, out var priority);
        var badPayload = RegisteredPayloads.Read(json, payloadType, serializer, "payload", out var payload);
        problem = DashboardInput.CheckDueAt(body.DueAt, time.GetUtcNow()) ?? badPriority ?? badPayload;
        if (problem is not null)
        {
            return problem;
        }

        try
        {
            var id = await RegisteredPayloads.ScheduleAsync(scheduler, payloadType, payload, body.DueAt, priority, cancellationToken).ConfigureAwait(false);
            return Results.Json(new { Id = id }, DashboardJson.Options, statusCode: StatusCodes.Status201Created);
        }
        catch (ArgumentException e)
        {
            return DashboardProblems.Invalid("payload", e.Message);
        }
    }

    private static async Task<IResult> CancelAsync(string type, string localId, ITaskScheduler scheduler, CancellationToken cancellationToken)
    {
        if ((DashboardInput.CheckTaskIdParts(type, localId)) is { } problem)
        {
            return problem;
        }

        var id = $"{type}/{localId}";
        return await scheduler.CancelAsync(id, cancellationToken).ConfigureAwait(false)
            ? Results.NoContent()
            : await WhyNotAsync(scheduler, id, "cancelled", cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IResult> RescheduleAsync(string type, string localId, HttpRequest request, ITaskScheduler scheduler, TimeProvider time, CancellationToken cancellationToken)
    {
        if ((DashboardInput.CheckTaskIdParts(type, localId)) is { } problem)
        {
            return problem;
        }

        var (body, badBody) = await RequestBody.ReadAsync(request, new RescheduleBody(null), cancellationToken).ConfigureAwait(false);
        if (badBody is not null)
        {
            return badBody;
        }

        if (body!.DueAt is not { } dueAt)
        {
            return DashboardProblems.Invalid("dueAt", "The body has no dueAt: send { \"dueAt\": \"2030-01-01T09:00:00Z\" }, or POST …/run-now to run it now.");
        }

        return DashboardInput.CheckDueAt(dueAt, time.GetUtcNow())
            ?? await MoveAsync(scheduler, $"{type}/{localId}", dueAt, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IResult> RunNowAsync(string type, string localId, ITaskScheduler scheduler, TimeProvider time, CancellationToken cancellationToken)
        => DashboardInput.CheckTaskIdParts(type, localId)
            ?? await MoveAsync(scheduler, $"{type}/{localId}", time.GetUtcNow(), cancellationToken).ConfigureAwait(false);

    private static async Task<IResult> MoveAsync(ITaskScheduler scheduler, string id, DateTimeOffset dueAt, CancellationToken cancellationToken)
        => await scheduler.RescheduleAsync(id, dueAt, cancellationToken).ConfigureAwait(false)
            ? Results.NoContent()
            : await WhyNotAsync(scheduler, id, "moved", cancellationToken).ConfigureAwait(false);

    /// <summary>404 when the task is gone, 409 (with its state) when it is there but cannot be changed so.</summary>
    private static async Task<IResult> WhyNotAsync(ITaskScheduler scheduler, string id, string change, CancellationToken cancellationToken)
        => await scheduler.GetTaskAsync(id, cancellationToken).ConfigureAwait(false) is { } task
            ? DashboardProblems.Conflict($"Task '{id}' is {task.State} and cannot be {change}: only a task that has not started can (a dead letter is requeued or deleted under api/dead-letters).")
            : DashboardProblems.NotFound($"No pending task '{id}': it finished, was cancelled or never existed.");

    private static string? Optional(Microsoft.Extensions.Primitives.StringValues value) => value.Count == 0 ? null : value.ToString();
}
