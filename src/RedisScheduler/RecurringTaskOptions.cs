namespace RedisScheduler;

/// <summary>How a recurring schedule's occurrences are computed and caught up on.</summary>
public sealed class RecurringTaskOptions
{
    /// <summary>The time zone a cron expression is read in, with its daylight-saving rules. Not used by interval schedules.</summary>
    /// <value>Default: <see cref="TimeZoneInfo.Utc"/>.</value>
    public TimeZoneInfo TimeZone { get; set; } = TimeZoneInfo.Utc;

    /// <summary>What happens to occurrences missed by more than <see cref="MisfireThreshold"/>.</summary>
    /// <value>Default: <see cref="MisfirePolicy.RunOnce"/>.</value>
    public MisfirePolicy MisfirePolicy { get; set; } = MisfirePolicy.RunOnce;

    /// <summary>How late an occurrence may be turned into a task and still count as on time.</summary>
    /// <value>Default: 1 minute.</value>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromMinutes(1);
}
