using System.Collections;
using System.Globalization;

namespace RedisScheduler.Handling;

/// <summary>
/// The log scope around a handler: every message it logs carries the task id, type and attempt (and,
/// through the activity, the trace id). One small object per run, made only when logging is on.
/// </summary>
internal sealed class TaskLogScope(string taskId, string taskType, int attempt) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 3;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("TaskId", taskId),
        1 => new("TaskType", taskType),
        2 => new("Attempt", attempt),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"TaskId:{taskId} TaskType:{taskType} Attempt:{attempt}");
}
