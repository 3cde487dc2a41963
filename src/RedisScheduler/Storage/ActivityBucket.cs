using System.Globalization;

namespace RedisScheduler.Storage;

/// <summary>
/// What a task type's workers finished in one minute of the Redis server's clock: the C# owner of
/// the activity bucket format, written in Lua by <c>read_activity</c>/<c>add_activity</c> in common.lua
/// (<c>"&lt;succeeded&gt;|&lt;failed&gt;|&lt;lateness samples&gt;|&lt;lateness sum ms&gt;|&lt;lateness max ms&gt;"</c>
/// in the field of its minute of the hour (0-59) of the hash <see cref="TaskTypeKeys.ActivityOf"/> of its hour,
/// which expires 25 h after the first change of its last active minute).
/// </summary>
internal readonly record struct ActivityBucket(long Succeeded, long Failed, long LatenessSamples, long LatenessSumMs, long LatenessMaxMs)
{
    /// <summary>How long an hour's buckets are kept after the first change of its last active minute (ACTIVITY_TTL_MS in common.lua): at least 24 h after the hour.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(25);

    /// <summary>The bucket as stored; an absent (or unreadable) bucket is empty: nothing finished in that minute.</summary>
    public static ActivityBucket Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return default;
        }

        var parts = text.Split('|');
        var values = new long[5];
        if (parts.Length != values.Length)
        {
            return default;
        }

        for (var i = 0; i < values.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]))
            {
                return default;
            }
        }

        return new(values[0], values[1], values[2], values[3], values[4]);
    }

    public string Format() => string.Create(CultureInfo.InvariantCulture, $"{Succeeded}|{Failed}|{LatenessSamples}|{LatenessSumMs}|{LatenessMaxMs}");

    /// <summary>The minute's figures as the public API shows them, starting at <paramref name="minute"/>.</summary>
    public MinuteActivity ToMinuteActivity(DateTimeOffset minute)
        => new(
            minute,
            Succeeded,
            Failed,
            LatenessSamples > 0 ? TimeSpan.FromMilliseconds((double)LatenessSumMs / LatenessSamples) : null,
            LatenessSamples > 0 ? TimeSpan.FromMilliseconds(LatenessMaxMs) : null);
}
