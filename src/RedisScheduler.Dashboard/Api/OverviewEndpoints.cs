using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using StackExchange.Redis;

namespace RedisScheduler.Dashboard.Api;

/// <summary><c>GET api/health</c>, <c>api/types</c> and <c>api/workers</c>: what an operator looks at first.</summary>
internal static class OverviewEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("health", HealthAsync);
        api.MapGet("types", TypesAsync);
        api.MapGet("workers", WorkersAsync);
    }

    private static async Task<IResult> HealthAsync(ITaskMonitor monitor, ITaskTypeRegistry registry, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            var types = await CountsAsync(monitor, registry, cancellationToken).ConfigureAwait(false);
            var workers = await monitor.ListWorkersAsync(cancellationToken).ConfigureAwait(false);
            // Both clocks: due times are kept by the server's, and an app whose own clock drifts
            // from it shows times (and schedules relative ones) off by the difference.
            // The app's time is taken halfway through the call, so the offset leaves out the round trip.
            var asked = time.GetUtcNow();
            var serverTime = await monitor.GetServerTimeAsync(cancellationToken).ConfigureAwait(false);
            var appTime = asked + ((time.GetUtcNow() - asked) / 2);
            return Results.Json(
                new
                {
                    Status = "healthy",
                    Redis = "reachable",
                    CheckedAt = appTime,
                    AppTime = appTime.UtcDateTime,
                    ServerTime = serverTime.UtcDateTime,
                    ClockOffsetMs = Math.Round((appTime - serverTime).TotalMilliseconds, 1),
                    LiveWorkers = workers.Count,
                    Types = types,
                },
                DashboardJson.Options);
        }
        catch (RedisException e)
        {
            // The exception's type only: its message may name servers, never shown to a browser.
            return DashboardProblems.Unavailable($"Redis did not answer ({e.GetType().Name}); see the application's logs.");
        }
    }

    private static async Task<IResult> TypesAsync(ITaskMonitor monitor, ITaskTypeRegistry registry, CancellationToken cancellationToken)
        => Results.Json(new { Items = await CountsAsync(monitor, registry, cancellationToken).ConfigureAwait(false) }, DashboardJson.Options);

    private static async Task<IResult> WorkersAsync(ITaskMonitor monitor, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var workers = await monitor.ListWorkersAsync(cancellationToken).ConfigureAwait(false);
        return Results.Json(
            new
            {
                Items = workers.Select(w => new
                {
                    w.InstanceId,
                    w.MachineName,
                    w.ProcessId,
                    w.LibraryVersion,
                    w.TaskTypes,
                    w.StartedAt,
                    w.LastHeartbeat,
                    HeartbeatAgeMs = Math.Max(0, (long)(now - w.LastHeartbeat).TotalMilliseconds),
                    w.ExpiresAt,
                    w.RunningTasks,
                    // Ids only, never payloads: nothing ShowPayloads = false hides.
                    w.RunningTaskIds,
                }),
            },
            DashboardJson.Options);
    }

    private static async Task<List<object>> CountsAsync(ITaskMonitor monitor, ITaskTypeRegistry registry, CancellationToken cancellationToken)
    {
        var counts = new List<object>();
        foreach (var type in await KnownTaskTypes.ListAsync(monitor, registry, cancellationToken).ConfigureAwait(false))
        {
            var c = await monitor.GetCountsAsync(type, cancellationToken).ConfigureAwait(false);
            counts.Add(new { Type = type, c.Scheduled, c.Ready, c.Processing, c.Failed, c.Waiting, Dead = c.DeadLettered, c.Succeeded, CanSchedule = registry.PayloadTypes.ContainsKey(type) });
        }

        return counts;
    }
}
