namespace RedisScheduler.Storage;

/// <summary>
/// Public task ids are <c>&lt;id type&gt;/&lt;local id&gt;</c>: the id type (the task type, with
/// <c>#p</c> for partition p ≥ 1 of a partitioned type, see <see cref="TaskPartitions"/>) says which
/// keys hold the task, the local id is its member in them.
/// </summary>
internal static class TaskId
{
    public static string Format(string idType, string localId) => idType + "/" + localId;

    /// <summary>The public id of the task <paramref name="localId"/> kept in <paramref name="keys"/>.</summary>
    public static string Format(TaskTypeKeys keys, string localId) => keys.IdType + "/" + localId;

    /// <summary>A generated local id: length-prefixed decimal, as encode_id in Scripts/common.lua writes it ("c123" for 123).</summary>
    public static string Generated(long sequence)
    {
        Span<char> local = stackalloc char[21];
        return new string(local[..WriteGenerated(sequence, local)]);
    }

    /// <summary>
    /// The public id of a generated task, <c>type/</c> + priority prefix + <see cref="Generated"/>, made
    /// as one string: a batch makes one per task.
    /// </summary>
    public static string FormatGenerated(TaskTypeKeys keys, string priorityPrefix, long sequence)
    {
        Span<char> local = stackalloc char[21];
        return string.Concat(keys.IdType, "/", priorityPrefix, local[..WriteGenerated(sequence, local)]);
    }

    /// <summary>Writes the generated local id of <paramref name="sequence"/> into <paramref name="into"/> (21 chars suffice); returns its length.</summary>
    private static int WriteGenerated(long sequence, Span<char> into)
    {
        sequence.TryFormat(into[1..], out var count, default, System.Globalization.CultureInfo.InvariantCulture);
        into[0] = (char)(96 + count);
        return count + 1;
    }

    /// <summary>Splits a task id into its id type (pass it to <c>TaskTypeNames.GetKeys</c>) and local id.</summary>
    public static (string IdType, string LocalId) Parse(string taskId)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        return TryParse(taskId, out var taskType, out var localId)
            ? (taskType, localId)
            : throw new ArgumentException(
                $"'{taskId}' is not a task id: pass the string returned by ScheduleTaskAsync, which looks like 'my-task/c123'.",
                nameof(taskId));
    }

    /// <summary>Splits a task id read from Redis, where a malformed one is skipped rather than thrown for.</summary>
    public static bool TryParse(string taskId, out string taskType, out string localId)
    {
        var slash = taskId.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == taskId.Length - 1 || !TaskPartitions.TryParseIdType(taskId[..slash], out _, out _))
        {
            (taskType, localId) = (string.Empty, string.Empty);
            return false;
        }

        (taskType, localId) = (taskId[..slash], taskId[(slash + 1)..]);
        return true;
    }
}
