using System.Globalization;
using System.Text;

namespace RedisScheduler.Storage;

/// <summary>
/// A task as stored in the tasks hash: <c>&lt;flag&gt;&lt;attempt&gt;|&lt;scheduledAt&gt;|&lt;dueAt&gt;|&lt;payload&gt;</c>,
/// times in Unix ms (new_record and its neighbours in Scripts/common.lua). One compact string per
/// task keeps memory per pending task low. The only C# code that reads or writes the layout.
/// The scheduledAt field may be followed by a trace context (<see cref="StoredTraceContext"/>),
/// <c>&lt;scheduledAt&gt;~&lt;traceparent&gt;…</c>, only in records of tasks scheduled under a trace.
/// </summary>
internal readonly record struct TaskRecord(int Attempt, long ScheduledAtMs, long DueAtMs, ReadOnlyMemory<byte> Payload)
{
    /// <summary>The flag of a task that is scheduled, or due and waiting in a ready list.</summary>
    public const char Waiting = 's';

    /// <summary>The flag of a task a worker holds a lease on.</summary>
    public const char Processing = 'p';

    /// <summary>The flag of a dead-lettered task.</summary>
    public const char DeadLettered = 'd';

    /// <summary>The flag of a continuation waiting for its parents.</summary>
    public const char AwaitingParents = 'w';

    /// <summary>The state the record's first byte gives (see the constants); <see cref="Waiting"/> unless set.</summary>
    public char Flag { get; init; } = Waiting;

    /// <summary>The trace context stored after scheduledAt (see <see cref="StoredTraceContext"/>); empty for a task scheduled with no activity current.</summary>
    // A copy only when present: a slice of the record would cost every task 16 bytes, traced or not.
    public byte[]? TraceContext { get; init; }

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

        // scheduledAt is digits, then (under tracing only) the stored trace context.
        var digits = span[(first + 1)..second].IndexOfAnyExceptInRange((byte)'0', (byte)'9');
        var traceAt = digits < 0 ? second : first + 1 + digits;
        return new TaskRecord(
            ParseInt(span[1..first]),
            ParseLong(span[(first + 1)..traceAt]),
            ParseLong(span[(second + 1)..third]),
            record[(third + 1)..])
        {
            Flag = (char)span[0],
            TraceContext = traceAt == second ? null : record[traceAt..second].ToArray(),
        };
    }

    /// <summary>
    /// <see cref="Parse"/> for records that may be corrupted (edited by hand or written by another
    /// program): <see langword="false"/> instead of an exception, so one such record fails only itself.
    /// </summary>
    public static bool TryParse(ReadOnlyMemory<byte> record, out TaskRecord parsed)
    {
        try
        {
            parsed = Parse(record);
            return true;
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            parsed = default;
            return false;
        }
    }

    /// <summary>
    /// For the queries: the record, or when it cannot be read (a <c>MalformedRecord</c> dead letter, see
    /// claim.lua) attempt 0, both times <paramref name="fallbackMs"/>, and the whole stored text as the
    /// payload, for a person to repair.
    /// </summary>
    public static TaskRecord ParseOrRaw(ReadOnlyMemory<byte> stored, long fallbackMs)
        => TryParse(stored, out var parsed) ? parsed : new TaskRecord(0, fallbackMs, fallbackMs, stored);

    /// <summary>The record as Redis stores it.</summary>
    public byte[] Format()
    {
        var head = Encoding.ASCII.GetBytes(string.Create(
            CultureInfo.InvariantCulture, $"{Flag}{Attempt}|{ScheduledAtMs}{Encoding.ASCII.GetString(TraceContext ?? [])}|{DueAtMs}|"));
        var record = new byte[head.Length + Payload.Length];
        head.CopyTo(record, 0);
        Payload.Span.CopyTo(record.AsSpan(head.Length));
        return record;
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
        => long.TryParse(digits, NumberStyles.None, null, out var value)
            ? value
            : throw new FormatException($"A task record in Redis has a malformed number '{Encoding.ASCII.GetString(digits)}'.");
}
