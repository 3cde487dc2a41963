namespace RedisScheduler.Storage;

/// <summary>
/// The first character of a local id, which says how the id was made and carries what Redis routes
/// on, so routing costs no command (HIGH, LOW, CONTINUATION and ready_key in Scripts/common.lua).
/// A generated id of normal priority starts with a letter (<see cref="TaskId.Generated"/>); an
/// occurrence of a recurring schedule with '@' (recur.lua).
/// </summary>
internal static class TaskIdPrefix
{
    /// <summary>A high-priority task: it waits in the ready-high list.</summary>
    public const string High = "^";

    /// <summary>A low-priority task: it waits in the ready-low list.</summary>
    public const string Low = "_";

    /// <summary>A continuation: it waits for its parents, and keeps them in a hash of its own.</summary>
    public const string Continuation = "+";

    /// <summary>A caller's task key (ScheduleTaskOnceAsync), apart from generated ids, which start with a letter.</summary>
    public const string TaskKey = "=";

    /// <summary>The prefix of a generated id of <paramref name="priority"/>: none for normal.</summary>
    public static string For(TaskPriority priority) => priority switch
    {
        TaskPriority.Normal => "",
        TaskPriority.High => High,
        TaskPriority.Low => Low,
        _ => throw new ArgumentOutOfRangeException(nameof(priority), priority, "Use TaskPriority.High, Normal or Low."),
    };

    public static bool IsContinuation(string localId) => localId.StartsWith(Continuation, StringComparison.Ordinal);
}
