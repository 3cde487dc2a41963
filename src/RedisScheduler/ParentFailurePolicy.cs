namespace RedisScheduler;

/// <summary>What a continuation does when one of its parents is dead-lettered or cancelled.</summary>
public enum ParentFailurePolicy
{
    /// <summary>The continuation is cancelled, and so are its own continuations that have this policy.</summary>
    Cancel,

    /// <summary>The continuation runs once every parent has ended, however each ended; it reads how with <see cref="TaskContext.GetParentsAsync"/>.</summary>
    RunAnyway,
}
