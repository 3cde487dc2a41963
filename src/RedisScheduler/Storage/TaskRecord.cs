using System.Text;

namespace RedisScheduler.Storage;

/// <summary>
/// A task as stored in the tasks hash: <c>&lt;flag&gt;&lt;attempt&gt;|&lt;scheduledAt&gt;|&lt;dueAt&gt;|&lt;payload&gt;</c>
/// (see Scripts/common.lua). One compact string per task keeps memory per pending task low.
/// </summary>
internal readonly record struct TaskRecord(int Attempt, long ScheduledAtMs, long DueAtMs, ReadOnlyMemory<byte> Payload)
{
    public static TaskRecord Parse(ReadOnlyMemory<byte> record)
    {
        var span = record.Span;
        var first = span.IndexOf((byte)'|');
        var second = first + 1 + span[(first + 1)..].IndexOf((byte)'|');
        var third = second + 1 + span[(second + 1)..].IndexOf((byte)'|');
        if (first < 2 || second <= first || third <= second)
        {
            throw new FormatException("A task record in Redis is malformed; it was not written by this version of RedisScheduler.");
        }

        return new TaskRecord(
            ParseInt(span[1..first]),
            ParseLong(span[(first + 1)..second]),
            ParseLong(span[(second + 1)..third]),
            record[(third + 1)..]);
    }

    public TaskInfo ToTaskInfo(string taskId, string taskType, TaskState state, string? lastErrorJson)
        => new(
            taskId,
            taskType,
            state,
            Attempt,
            DateTimeOffset.FromUnixTimeMilliseconds(ScheduledAtMs),
            DateTimeOffset.FromUnixTimeMilliseconds(DueAtMs),
            Encoding.UTF8.GetString(Payload.Span),
            TaskErrorJson.Parse(lastErrorJson));

    private static int ParseInt(ReadOnlySpan<byte> digits) => checked((int)ParseLong(digits));

    private static long ParseLong(ReadOnlySpan<byte> digits)
        => long.TryParse(digits, System.Globalization.NumberStyles.None, null, out var value)
            ? value
            : throw new FormatException($"A task record in Redis has a malformed number '{Encoding.ASCII.GetString(digits)}'.");
}
