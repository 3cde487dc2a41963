using System.Text.Json;
using Microsoft.AspNetCore.Http;
using RedisScheduler.Scheduling;
using RedisScheduler.Storage;

namespace RedisScheduler.Dashboard.Api;

/// <summary>
/// Reads a payload received over HTTP (or a recurring schedule's stored one) into the payload class this
/// app registered for its task type (<see cref="ITaskTypeRegistry"/>), with the scheduler's JSON options,
/// and schedules it. The class always comes from the app's registrations, never from a name in the request;
/// and no generic method is made at run time: reading and writing go through the options' JsonTypeInfo
/// (a source-generated context serves them in a trimmed app).
/// </summary>
internal static class RegisteredPayloads
{
    /// <summary>The payload class of <paramref name="taskType"/>, or a 404 saying which types can be scheduled here.</summary>
    public static IResult? CheckRegistered(ITaskTypeRegistry registry, string taskType, out Type payloadType)
    {
        if (registry.PayloadTypes.TryGetValue(taskType, out payloadType!))
        {
            return null;
        }

        var known = registry.PayloadTypes.Keys.Order(StringComparer.Ordinal).ToList();
        return DashboardProblems.NotFound(
            $"This app registered no payload class for task type '{taskType}', so it cannot make its tasks. " +
            (known.Count == 0 ? "It registered none: add a handler with AddTaskHandler or name a class with MapTaskType." : $"It can make tasks of: {string.Join(", ", known)}."));
    }

    /// <summary>Reads <paramref name="json"/> into <paramref name="payloadType"/>; a 400 saying what is wrong when it does not fit.</summary>
    public static IResult? Read(JsonElement json, Type payloadType, PayloadSerializer serializer, string field, out object payload)
    {
        payload = null!;
        try
        {
            payload = serializer.Deserialize(json, payloadType)!;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return DashboardProblems.Invalid(field, $"The payload is not a valid {payloadType.Name}: {e.Message}");
        }

        return payload is null ? DashboardProblems.Invalid(field, $"The payload is null: send the JSON object of a {payloadType.Name}.") : null;
    }

    /// <summary>Schedules a task of the registered <paramref name="payloadType"/>; due now when <paramref name="dueAt"/> is null.</summary>
    /// <exception cref="ArgumentException">The scheduler refused the payload (too large, not serializable); nothing was written.</exception>
    public static Task<string> ScheduleAsync(RedisTaskScheduler scheduler, Type payloadType, object payload, DateTimeOffset? dueAt, TaskPriority priority, CancellationToken cancellationToken)
        => scheduler.ScheduleRegisteredAsync(payloadType, payload, dueAt, priority, cancellationToken);
}
