using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using RedisScheduler.Storage;

namespace RedisScheduler.Dashboard;

/// <summary>
/// Reads what a request names (types, ids, states, pages, due times) and says what to fix when it is
/// wrong: each <c>Try…</c> returns a Problem Details result, or <see langword="null"/> when the input is good.
/// Everything is checked before anything is sent to Redis.
/// </summary>
internal static partial class DashboardInput
{
    public const int MaxPageSize = 500;
    public const int MaxOffset = 1_000_000;
    private const int MaxLocalIdLength = 320;
    private static readonly TimeSpan MaxAhead = TimeSpan.FromDays(36_500);

    /// <summary>The states a list can show, by the names the API uses.</summary>
    public static readonly IReadOnlyDictionary<string, TaskState?> States = new Dictionary<string, TaskState?>(StringComparer.OrdinalIgnoreCase)
    {
        ["scheduled"] = TaskState.Scheduled,
        ["ready"] = TaskState.Ready,
        ["processing"] = TaskState.Processing,
        ["waiting"] = TaskState.Waiting,
        ["failed"] = TaskState.Failed,
        ["dead"] = TaskState.DeadLettered,
        ["succeeded"] = null,
    };

    public static IResult? CheckTaskType(string? taskType)
        => taskType is not null && TaskTypePattern().IsMatch(taskType)
            ? null
            : DashboardProblems.Invalid("type", $"'{taskType}' is not a task type name: use 1 to 100 letters, digits, '.', '-' or '_', starting with a letter or digit (GET api/types lists them).");

    /// <summary>
    /// The two parts of a task id, as the per-task routes take them: the part before the '/' is a
    /// type name, or <c>type#p</c> for a task in partition p of a partitioned type (docs/scaling.md).
    /// </summary>
    public static IResult? CheckTaskIdParts(string idType, string localId)
        => (TaskPartitions.TryParseIdType(idType, out var taskType, out _) && TaskTypePattern().IsMatch(taskType)
            ? null
            : DashboardProblems.Invalid("type", $"'{idType}' is not a task type name nor the type part of a task id: use the part before '/' of a task id, such as 'invoice' of 'invoice/c123' or 'invoice#2' of 'invoice#2/c123'."))
            ?? CheckLocalId(localId);

    /// <summary>A task's id within its type, as the part after the '/' of a task id.</summary>
    public static IResult? CheckLocalId(string localId)
        => localId.Length is > 0 and <= MaxLocalIdLength && !localId.Any(c => char.IsControl(c) || c is '|' or '/')
            ? null
            : DashboardProblems.Invalid("localId", $"'{localId}' is not a task's local id: use the part after '/' of a task id, such as 'c123' of 'invoice/c123'.");

    public static IResult? CheckTaskId(string taskId, out string taskType, out string localId)
    {
        var slash = taskId.IndexOf('/', StringComparison.Ordinal);
        (taskType, localId) = slash < 0 ? (taskId, "") : (taskId[..slash], taskId[(slash + 1)..]);
        return slash < 0
            ? DashboardProblems.Invalid("id", $"'{taskId}' is not a task id: pass one like 'invoice/c123', as ScheduleTaskAsync returns it.")
            : CheckTaskIdParts(taskType, localId);
    }

    public static IResult? CheckPage(string? offsetText, string? countText, int defaultCount, out int offset, out int count)
    {
        offset = 0;
        count = defaultCount;
        if (offsetText is not null && (!int.TryParse(offsetText, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset > MaxOffset))
        {
            return DashboardProblems.Invalid("offset", $"offset '{offsetText}' is out of range: use a whole number from 0 to {MaxOffset}.");
        }

        if (countText is not null && (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxPageSize))
        {
            return DashboardProblems.Invalid("count", $"count '{countText}' is out of range: use a whole number from 1 to {MaxPageSize}.");
        }

        return null;
    }

    public static IResult? CheckState(string? stateText, out TaskState? state)
    {
        state = null;
        return stateText is not null && States.TryGetValue(stateText, out state)
            ? null
            : DashboardProblems.Invalid("state", $"'{stateText}' is not a state: use one of {string.Join(", ", States.Keys)}.");
    }

    public static IResult? CheckDueAt(DateTimeOffset? dueAt, DateTimeOffset now)
        => dueAt is null || (dueAt >= DateTimeOffset.UnixEpoch && dueAt <= now + MaxAhead)
            ? null
            : DashboardProblems.Invalid("dueAt", $"dueAt {dueAt:O} is out of range: use an ISO 8601 time from 1970-01-01T00:00:00Z to 100 years from now (a past time means now).");

    public static IResult? CheckPriority(string? text, out TaskPriority priority)
    {
        priority = TaskPriority.Normal;
        return text is null || (Enum.TryParse(text, ignoreCase: true, out priority) && Enum.IsDefined(priority) && !char.IsDigit(text[0]))
            ? null
            : DashboardProblems.Invalid("priority", $"'{text}' is not a priority: use high, normal or low.");
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$", RegexOptions.CultureInvariant)]
    private static partial Regex TaskTypePattern();
}
