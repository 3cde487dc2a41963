using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace RedisScheduler.Dashboard.Api;

/// <summary><c>api/dead-letters</c>: list per type, requeue one or all, delete one.</summary>
internal static class DeadLetterEndpoints
{
    public static void Map(RouteGroupBuilder api, RedisSchedulerDashboardOptions options)
    {
        api.MapGet("dead-letters/{type}", (string type, HttpRequest request, IDeadLetterStore store, ITaskMonitor monitor, ITaskTypeRegistry registry, CancellationToken ct) => ListAsync(type, request, options, store, monitor, registry, ct));
        api.MapPost("dead-letters/{type}/requeue-all", RequeueAllAsync);
        api.MapPost("dead-letters/{type}/{localId}/requeue", RequeueAsync);
        api.MapDelete("dead-letters/{type}/{localId}", DeleteAsync);
    }

    private static async Task<IResult> ListAsync(string type, HttpRequest request, RedisSchedulerDashboardOptions options, IDeadLetterStore store, ITaskMonitor monitor, ITaskTypeRegistry registry, CancellationToken cancellationToken)
    {
        var problem = DashboardInput.CheckPage(Optional(request, "offset"), Optional(request, "count"), options.DefaultPageSize, out var offset, out var count)
            ?? await KnownTaskTypes.CheckAsync(type, monitor, registry, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var letters = await store.ListAsync(type, offset, count, cancellationToken).ConfigureAwait(false);
        return Results.Json(
            new
            {
                Type = type,
                Offset = offset,
                Count = count,
                Items = letters.Select(d => new { d.Id, d.TaskType, d.Attempt, d.ScheduledAt, d.DueAt, d.DeadLetteredAt, d.Error, Payload = DashboardJson.Embed(d.PayloadJson, options.ShowPayloads) }),
            },
            DashboardJson.Options);
    }

    private static async Task<IResult> RequeueAllAsync(string type, IDeadLetterStore store, ITaskMonitor monitor, ITaskTypeRegistry registry, CancellationToken cancellationToken)
        => await KnownTaskTypes.CheckAsync(type, monitor, registry, cancellationToken).ConfigureAwait(false)
            ?? Results.Json(new { Requeued = await store.RequeueAllAsync(type, cancellationToken).ConfigureAwait(false) }, DashboardJson.Options);

    private static async Task<IResult> RequeueAsync(string type, string localId, IDeadLetterStore store, CancellationToken cancellationToken)
    {
        if ((DashboardInput.CheckTaskIdParts(type, localId)) is { } problem)
        {
            return problem;
        }

        try
        {
            return await store.RequeueAsync($"{type}/{localId}", cancellationToken).ConfigureAwait(false) ? Results.NoContent() : NotADeadLetter(type, localId);
        }
        catch (InvalidOperationException e)
        {
            return DashboardProblems.Conflict(e.Message);
        }
    }

    private static async Task<IResult> DeleteAsync(string type, string localId, IDeadLetterStore store, CancellationToken cancellationToken)
        => DashboardInput.CheckTaskIdParts(type, localId)
            ?? (await store.DeleteAsync($"{type}/{localId}", cancellationToken).ConfigureAwait(false) ? Results.NoContent() : NotADeadLetter(type, localId));

    private static IResult NotADeadLetter(string type, string localId)
        => DashboardProblems.NotFound($"'{type}/{localId}' is not a dead letter: GET api/dead-letters/{type} lists them.");

    private static string? Optional(HttpRequest request, string name) => request.Query.TryGetValue(name, out var value) ? value.ToString() : null;
}
