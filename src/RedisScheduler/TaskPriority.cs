namespace RedisScheduler;

/// <summary>
/// Which due tasks of one type are handed out first. Priority is strict: a low-priority task waits
/// while higher ones are ready, so under sustained load it can starve.
/// </summary>
public enum TaskPriority
{
    /// <summary>Handed out before every normal and low-priority task that is due.</summary>
    High,

    /// <summary>The default.</summary>
    Normal,

    /// <summary>Handed out only when no high or normal task of the type is ready.</summary>
    Low,
}
