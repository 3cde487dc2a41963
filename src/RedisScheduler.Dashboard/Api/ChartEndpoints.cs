using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace RedisScheduler.Dashboard.Api;

/// <summary>
/// <c>GET api/timeline</c> (how many tasks fall due in each coming minute and hour) and <c>GET api/stats</c>
/// (throughput and lateness in each of the last 60 minutes), per type or for one (<c>?type=</c>). Every
/// type is read at the same instant of the Redis server's clock, so their buckets line up; the calls
/// for all types are sent together, one script each.
/// </summary>
internal static class ChartEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("timeline", TimelineAsync);
        api.MapGet("stats", StatsAsync);
    }

    private static async Task<IResult> TimelineAsync(HttpRequest request, ITaskMonitor monitor, ITaskTypeRegistry registry, CancellationToken cancellationToken)
    {
        var (types, problem) = await TypesAsync(request, monitor, registry, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var now = await monitor.GetServerTimeAsync(cancellationToken).ConfigureAwait(false);
        var timelines = await Task.WhenAll(types.Select(t => monitor.GetDueTimelineAsync(t, now, cancellationToken))).ConfigureAwait(false);
        return Results.Json(
            new { Now = now.UtcDateTime, Types = timelines.Select(t => new { Type = t.TaskType, t.Minutes, t.Hours }) },
            DashboardJson.Options);
    }

    private static async Task<IResult> StatsAsync(HttpRequest request, ITaskMonitor monitor, ITaskTypeRegistry registry, CancellationToken cancellationToken)
    {
        var (types, problem) = await TypesAsync(request, monitor, registry, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var now = await monitor.GetServerTimeAsync(cancellationToken).ConfigureAwait(false);
        var activities = await Task.WhenAll(types.Select(t => monitor.GetActivityAsync(t, now, cancellationToken))).ConfigureAwait(false);
        return Results.Json(
            new { Now = now.UtcDateTime, Types = activities.Select(a => new { Type = a.TaskType, Minutes = a.Minutes.Select(StatsMinute.Of) }) },
            DashboardJson.Options);
    }

    /// <summary>The one type <c>?type=</c> names (400 malformed, 404 unknown), or every known type.</summary>
    private static async Task<(IReadOnlyList<string> Types, IResult? Problem)> TypesAsync(HttpRequest request, ITaskMonitor monitor, ITaskTypeRegistry registry, CancellationToken cancellationToken)
    {
        if (!request.Query.TryGetValue("type", out var named))
        {
            return (await KnownTaskTypes.ListAsync(monitor, registry, cancellationToken).ConfigureAwait(false), null);
        }

        var type = named.ToString();
        return ([type], await KnownTaskTypes.CheckAsync(type, monitor, registry, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>One minute of <c>api/stats</c>; the lateness figures are written as <c>null</c> when no task had one, not left out.</summary>
    private sealed record StatsMinute(
        DateTime Minute,
        long Succeeded,
        long Failed,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? LatenessAvgMs,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? LatenessMaxMs)
    {
        public static StatsMinute Of(MinuteActivity m)
            => new(m.Minute.UtcDateTime, m.Succeeded, m.Failed, m.LatenessAverage is { } avg ? Math.Round(avg.TotalMilliseconds, 1) : null, m.LatenessMax?.TotalMilliseconds);
    }
}
