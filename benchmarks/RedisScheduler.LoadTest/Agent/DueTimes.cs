using System.Globalization;

namespace RedisScheduler.LoadTest.Agent;

/// <summary>
/// When task <c>i</c> of a schedule command is due: <c>rel:MS</c> means MS milliseconds after the
/// moment it is scheduled (negative: already due); <c>abs:START:STEP</c> means START + i × STEP, in UTC
/// ticks, so the coordinator knows every due instant without asking.
/// </summary>
internal sealed class DueTimes
{
    private readonly long? relativeTicks;
    private readonly long startTicks;
    private readonly long stepTicks;

    private DueTimes(long? relativeTicks, long startTicks, long stepTicks)
    {
        this.relativeTicks = relativeTicks;
        this.startTicks = startTicks;
        this.stepTicks = stepTicks;
    }

    public static DueTimes Parse(string text)
    {
        var parts = text.Split(':');
        return parts[0] switch
        {
            "rel" when parts.Length == 2 => new(long.Parse(parts[1], CultureInfo.InvariantCulture) * TimeSpan.TicksPerMillisecond, 0, 0),
            "abs" when parts.Length == 3 => new(null, long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture)),
            _ => throw new ArgumentException($"A due spec is rel:MS or abs:START_TICKS:STEP_TICKS, not '{text}'."),
        };
    }

    public static string Absolute(DateTime start, TimeSpan step)
        => string.Create(CultureInfo.InvariantCulture, $"abs:{start.Ticks}:{step.Ticks}");

    public static string Relative(TimeSpan delay)
        => string.Create(CultureInfo.InvariantCulture, $"rel:{(long)delay.TotalMilliseconds}");

    public DateTimeOffset At(int index)
        => relativeTicks is { } delay
            ? new DateTimeOffset(DateTime.UtcNow.Ticks + delay, TimeSpan.Zero)
            : new DateTimeOffset(startTicks + (index * stepTicks), TimeSpan.Zero);

    /// <summary>The due instant of task <paramref name="index"/> in UTC ticks, for absolute specs.</summary>
    public long TicksAt(int index) => startTicks + (index * stepTicks);
}
