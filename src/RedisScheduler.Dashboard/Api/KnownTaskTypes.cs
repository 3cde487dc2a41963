using Microsoft.AspNetCore.Http;

namespace RedisScheduler.Dashboard.Api;

/// <summary>
/// The task types the API speaks of: those whose payload classes this app registered, and those any
/// worker instance has handled (the registry in Redis). A valid name that is neither gets 404.
/// </summary>
internal static class KnownTaskTypes
{
    public static async Task<IReadOnlyList<string>> ListAsync(ITaskMonitor monitor, ITaskTypeRegistry registry, CancellationToken cancellationToken)
    {
        var handled = await monitor.ListTaskTypesAsync(cancellationToken).ConfigureAwait(false);
        return [.. handled.Union(registry.PayloadTypes.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>Problem Details when <paramref name="taskType"/> is malformed (400) or unknown (404); <see langword="null"/> when it is known.</summary>
    public static async Task<IResult?> CheckAsync(string taskType, ITaskMonitor monitor, ITaskTypeRegistry registry, CancellationToken cancellationToken)
    {
        if (DashboardInput.CheckTaskType(taskType) is { } malformed)
        {
            return malformed;
        }

        if (registry.PayloadTypes.ContainsKey(taskType))
        {
            return null;
        }

        var handled = await monitor.ListTaskTypesAsync(cancellationToken).ConfigureAwait(false);
        return handled.Contains(taskType, StringComparer.Ordinal)
            ? null
            : DashboardProblems.NotFound($"No task type '{taskType}' is known here: GET api/types lists the types this app registered or a worker has handled.");
    }
}
