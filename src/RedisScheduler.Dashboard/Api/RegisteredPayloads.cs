using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace RedisScheduler.Dashboard.Api;

/// <summary>
/// Reads a payload received over HTTP (or a recurring schedule's stored one) into the payload class this
/// app registered for its task type (<see cref="ITaskTypeRegistry"/>), with the scheduler's JSON options,
/// and schedules it. The class always comes from the app's registrations, never from a name in the request.
/// </summary>
internal static class RegisteredPayloads
{
    private static readonly MethodInfo ScheduleOpen = typeof(RegisteredPayloads).GetMethod(nameof(ScheduleTypedAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

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
    public static IResult? Read(JsonElement json, Type payloadType, IOptions<RedisSchedulerOptions> options, string field, out object payload)
    {
        payload = null!;
        try
        {
            payload = json.Deserialize(payloadType, options.Value.JsonSerializerOptions)!;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return DashboardProblems.Invalid(field, $"The payload is not a valid {payloadType.Name}: {e.Message}");
        }

        return payload is null ? DashboardProblems.Invalid(field, $"The payload is null: send the JSON object of a {payloadType.Name}.") : null;
    }

    /// <summary>Schedules a task of the registered <paramref name="payloadType"/>; due now when <paramref name="dueAt"/> is null.</summary>
    /// <exception cref="ArgumentException">The scheduler refused the payload (too large, not serializable); nothing was written.</exception>
    public static Task<string> ScheduleAsync(ITaskScheduler scheduler, Type payloadType, object payload, DateTimeOffset? dueAt, TaskPriority priority, CancellationToken cancellationToken)
        => (Task<string>)ScheduleOpen.MakeGenericMethod(payloadType).Invoke(null, [scheduler, payload, dueAt, priority, cancellationToken])!;

    private static async Task<string> ScheduleTypedAsync<T>(ITaskScheduler scheduler, object payload, DateTimeOffset? dueAt, TaskPriority priority, CancellationToken cancellationToken)
        => dueAt is { } at
            ? await scheduler.ScheduleTaskAsync(at, (T)payload, priority, cancellationToken).ConfigureAwait(false)
            : await scheduler.EnqueueTaskAsync((T)payload, priority, cancellationToken).ConfigureAwait(false);
}
