using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace RedisScheduler.Dashboard.Api;

/// <summary>Bodies of the change requests, read by hand so a malformed one gets a Problem Details that says where.</summary>
internal static class RequestBody
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The body as <typeparamref name="T"/>; an empty body is <paramref name="empty"/>.</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, T empty, CancellationToken cancellationToken)
        where T : class
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text))
        {
            return (empty, null);
        }

        try
        {
            return (JsonSerializer.Deserialize<T>(text, Options) ?? empty, null);
        }
        catch (JsonException e)
        {
            return (null, DashboardProblems.Invalid(e.Path is { Length: > 1 } path ? path.TrimStart('$', '.') : "body", $"The body is not valid JSON for this call: {e.Message}"));
        }
    }
}

/// <summary>The body of <c>POST api/tasks/{type}</c>.</summary>
internal sealed record ScheduleBody(JsonElement? Payload, DateTimeOffset? DueAt, string? Priority);

/// <summary>The body of <c>POST api/tasks/{type}/{localId}/reschedule</c>.</summary>
internal sealed record RescheduleBody(DateTimeOffset? DueAt);
