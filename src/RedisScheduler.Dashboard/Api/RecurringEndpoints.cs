using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RedisScheduler.Scheduling;
using RedisScheduler.Storage;

namespace RedisScheduler.Dashboard.Api;

/// <summary><c>api/recurring</c>: list a type's schedules, trigger one now, pause, resume, remove.</summary>
internal static class RecurringEndpoints
{
    public static void Map(RouteGroupBuilder api, RedisSchedulerDashboardOptions options)
    {
        api.MapGet("recurring/{type}", (string type, IRecurringTaskManager manager, ITaskMonitor monitor, ITaskTypeRegistry registry, CancellationToken ct) => ListAsync(type, options, manager, monitor, registry, ct));
        api.MapPost("recurring/{type}/{name}/trigger", TriggerAsync);
        api.MapPost("recurring/{type}/{name}/pause", (string type, string name, IRecurringTaskManager manager, CancellationToken ct) => PauseAsync(type, name, manager, pause: true, ct));
        api.MapPost("recurring/{type}/{name}/resume", (string type, string name, IRecurringTaskManager manager, CancellationToken ct) => PauseAsync(type, name, manager, pause: false, ct));
        api.MapDelete("recurring/{type}/{name}", RemoveAsync);
    }

    private static async Task<IResult> ListAsync(string type, RedisSchedulerDashboardOptions options, IRecurringTaskManager manager, ITaskMonitor monitor, ITaskTypeRegistry registry, CancellationToken cancellationToken)
    {
        if (await KnownTaskTypes.CheckAsync(type, monitor, registry, cancellationToken).ConfigureAwait(false) is { } problem)
        {
            return problem;
        }

        var schedules = await manager.ListAsync(type, cancellationToken).ConfigureAwait(false);
        return Results.Json(
            new
            {
                Type = type,
                Items = schedules.Select(r => new { r.Name, r.TaskType, r.CronExpression, r.Interval, r.TimeZoneId, r.MisfirePolicy, r.NextOccurrence, r.IsPaused, Payload = DashboardJson.Embed(r.PayloadJson, options.ShowPayloads) }),
            },
            DashboardJson.Options);
    }

    /// <summary>Makes one task now from the schedule's payload, read into this app's payload class; the schedule itself is not moved.</summary>
    private static async Task<IResult> TriggerAsync(string type, string name, IRecurringTaskManager manager, RedisTaskScheduler scheduler, ITaskTypeRegistry registry, PayloadSerializer serializer, CancellationToken cancellationToken)
    {
        if ((DashboardInput.CheckTaskType(type) ?? CheckName(name)) is { } problem)
        {
            return problem;
        }

        if (RegisteredPayloads.CheckRegistered(registry, type, out var payloadType) is { } unregistered)
        {
            return unregistered;
        }

        var schedule = (await manager.ListAsync(type, cancellationToken).ConfigureAwait(false)).FirstOrDefault(r => r.Name == name);
        if (schedule is null)
        {
            return NoSchedule(type, name);
        }

        using var stored = JsonDocument.Parse(schedule.PayloadJson);
        if (RegisteredPayloads.Read(stored.RootElement, payloadType, serializer, "payload", out var payload) is { } unreadable)
        {
            return unreadable;
        }

        var id = await RegisteredPayloads.ScheduleAsync(scheduler, payloadType, payload, null, TaskPriority.Normal, cancellationToken).ConfigureAwait(false);
        return Results.Json(new { Id = id }, DashboardJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> PauseAsync(string type, string name, IRecurringTaskManager manager, bool pause, CancellationToken cancellationToken)
    {
        if ((DashboardInput.CheckTaskType(type) ?? CheckName(name)) is { } problem)
        {
            return problem;
        }

        var found = pause
            ? await manager.PauseAsync(type, name, cancellationToken).ConfigureAwait(false)
            : await manager.ResumeAsync(type, name, cancellationToken).ConfigureAwait(false);
        return found ? Results.NoContent() : NoSchedule(type, name);
    }

    private static async Task<IResult> RemoveAsync(string type, string name, IRecurringTaskManager manager, CancellationToken cancellationToken)
        => DashboardInput.CheckTaskType(type) ?? CheckName(name)
            ?? (await manager.RemoveAsync(type, name, cancellationToken).ConfigureAwait(false) ? Results.NoContent() : NoSchedule(type, name));

    private static IResult? CheckName(string name)
        => name.Length is > 0 and <= 100 && !name.Any(c => char.IsControl(c) || c == '|')
            ? null
            : DashboardProblems.Invalid("name", $"'{name}' is not a recurring schedule's name: 1 to 100 characters without '|' or control characters.");

    private static IResult NoSchedule(string type, string name)
        => DashboardProblems.NotFound($"Task type '{type}' has no recurring schedule '{name}': GET api/recurring/{type} lists them.");
}
