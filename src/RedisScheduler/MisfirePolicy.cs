namespace RedisScheduler;

/// <summary>What happens to occurrences of a recurring schedule that were missed while no instance ran (see <see cref="RecurringTaskOptions.MisfireThreshold"/>).</summary>
public enum MisfirePolicy
{
    /// <summary>All missed occurrences together run once, as soon as an instance is back; then the schedule goes on.</summary>
    RunOnce,

    /// <summary>Missed occurrences are dropped; the schedule goes on from its next occurrence.</summary>
    Skip,
}
