using System.Diagnostics;
using System.Text;

namespace RedisScheduler.Storage;

/// <summary>
/// The trace context a task record may carry (the C# side of <c>new_record</c>'s trace and <c>with_link</c>
/// in Scripts/common.lua): right after the record's scheduledAt digits,
/// <c>~&lt;traceparent&gt;[~&lt;tracestate&gt;[~&lt;baggage&gt;]]</c> when an activity was current at
/// scheduling, then <c>^&lt;traceparent&gt;</c> of a span its next run links to: the attempt that failed
/// last, once one has been retried under a trace, or the call that defined the recurring schedule an
/// occurrence was made from. W3C header values (baggage percent-encoded, <c>~</c> included), the trace state with <c>%</c>, <c>|</c>, <c>~</c> and <c>^</c> escaped
/// as <c>%25</c>, <c>%7C</c>, <c>%7E</c>, <c>%5E</c>. A record without either is byte for byte the
/// format of earlier versions, so tracing costs nothing in Redis unless it is on.
/// </summary>
internal static class StoredTraceContext
{
    public const char Marker = '~';
    public const char LinkMarker = '^';

    /// <summary>The suffix for tasks scheduled under <paramref name="activity"/>; <see langword="null"/> when there is none (or it is not W3C).</summary>
    public static string? Capture(Activity? activity)
    {
        if (activity is null || activity.IdFormat != ActivityIdFormat.W3C || activity.Id is not { } traceParent)
        {
            return null;
        }

        var state = activity.TraceStateString;
        string? baggage = null;
        foreach (var (key, value) in activity.Baggage)
        {
            var item = EscapeBaggage(key) + "=" + EscapeBaggage(value ?? "");
            baggage = baggage is null ? item : baggage + "," + item;
        }

        if (string.IsNullOrEmpty(state) && baggage is null)
        {
            return Marker + traceParent;
        }

        return Marker + traceParent + Marker + Escape(state ?? "") + (baggage is null ? "" : Marker + baggage);
    }

    /// <summary>
    /// The traceparent a later run links to (after <see cref="LinkMarker"/>); <see langword="null"/>
    /// when there is no W3C activity. Only the span's id: a link needs no state or baggage.
    /// </summary>
    public static string? CaptureLink(Activity? activity)
        => activity is { IdFormat: ActivityIdFormat.W3C, Id: { } traceParent } ? traceParent : null;

    /// <summary>Reads the text after a record's scheduledAt digits (empty when it carries none).</summary>
    public static TaskTraceContext Parse(ReadOnlySpan<byte> stored)
    {
        if (stored.IsEmpty)
        {
            return default;
        }

        if (stored[0] == (byte)Marker && stored[1..].IndexOfAny((byte)Marker, (byte)LinkMarker) < 0)
        {
            // The usual record, a first attempt scheduled under a span: its traceparent alone, read
            // from one string.
            _ = ActivityContext.TryParse(Encoding.ASCII.GetString(stored[1..]), null, isRemote: true, out var first);
            return new TaskTraceContext(first, null, default);
        }

        var text = Encoding.ASCII.GetString(stored);
        ActivityContext link = default;
        var linkAt = text.IndexOf(LinkMarker, StringComparison.Ordinal);
        if (linkAt >= 0)
        {
            _ = ActivityContext.TryParse(text[(linkAt + 1)..], null, isRemote: true, out link);
            text = text[..linkAt];
        }

        if (text.Length == 0 || text[0] != Marker)
        {
            return new TaskTraceContext(default, null, link);
        }

        if (text.IndexOf(Marker, 1) < 0)
        {
            // The usual record: a traceparent alone, read without splitting.
            _ = ActivityContext.TryParse(text[1..], null, isRemote: true, out var alone);
            return new TaskTraceContext(alone, null, link);
        }

        var parts = text[1..].Split(Marker);
        var state = parts.Length > 1 && parts[1].Length > 0 ? Unescape(parts[1]) : null;
        _ = ActivityContext.TryParse(parts[0], state, isRemote: true, out var scheduled);
        List<KeyValuePair<string, string?>>? baggage = null;
        if (parts.Length > 2)
        {
            baggage = [];
            foreach (var item in parts[2].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = item.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0)
                {
                    baggage.Add(new(Uri.UnescapeDataString(item[..equals]), Uri.UnescapeDataString(item[(equals + 1)..])));
                }
            }
        }

        return new TaskTraceContext(scheduled, baggage, link);
    }

    // Percent-encoded as in the W3C baggage header, and '~' too, so no separator of the record appears.
    private static string EscapeBaggage(string value) => Uri.EscapeDataString(value).Replace("~", "%7E", StringComparison.Ordinal);

    private static string Escape(string value)
        => value.AsSpan().IndexOfAny("%|~^") < 0
            ? value
            : value.Replace("%", "%25", StringComparison.Ordinal).Replace("|", "%7C", StringComparison.Ordinal)
                .Replace("~", "%7E", StringComparison.Ordinal).Replace("^", "%5E", StringComparison.Ordinal);

    // In the reverse order: "%25" last, so an escaped "%" never forms another escape.
    private static string Unescape(string value)
        => !value.Contains('%', StringComparison.Ordinal)
            ? value
            : value.Replace("%7C", "|", StringComparison.Ordinal).Replace("%7E", "~", StringComparison.Ordinal)
                .Replace("%5E", "^", StringComparison.Ordinal).Replace("%25", "%", StringComparison.Ordinal);
}

/// <summary>
/// A stored task's trace context: the span it was scheduled under, that span's baggage, and the span
/// its run links to (the attempt that failed before this one, or the call that defined its recurring schedule).
/// </summary>
internal readonly record struct TaskTraceContext(ActivityContext Scheduled, IReadOnlyList<KeyValuePair<string, string?>>? Baggage, ActivityContext Link);
