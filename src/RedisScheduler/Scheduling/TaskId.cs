namespace RedisScheduler.Scheduling;

/// <summary>
/// Public task ids are <c>&lt;task type&gt;/&lt;local id&gt;</c>: the type says which keys hold the
/// task, the local id is its member in them.
/// </summary>
internal static class TaskId
{
    public static string Format(string taskType, string localId) => taskType + "/" + localId;

    /// <summary>A generated local id: length-prefixed decimal, as encode_id in Scripts/common.lua writes it ("c123" for 123).</summary>
    public static string Generated(long sequence)
    {
        var digits = sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return (char)(96 + digits.Length) + digits;
    }

    public static (string TaskType, string LocalId) Parse(string taskId)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        var slash = taskId.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == taskId.Length - 1 || !TaskTypeNames.IsValidName(taskId[..slash]))
        {
            throw new ArgumentException(
                $"'{taskId}' is not a task id: pass the string returned by ScheduleTaskAsync, which looks like 'my-task/c123'.",
                nameof(taskId));
        }

        return (taskId[..slash], taskId[(slash + 1)..]);
    }
}
