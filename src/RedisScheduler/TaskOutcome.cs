namespace RedisScheduler;

/// <summary>How a task ended, as reported by <see cref="ITaskScheduler.WaitForCompletionAsync"/>.</summary>
public enum TaskOutcome
{
    /// <summary>A <see cref="TaskHandler{T, TResult}"/> returned; <see cref="TaskCompletion.ResultJson"/> holds its result.</summary>
    Succeeded,

    /// <summary>It failed for good; <see cref="TaskCompletion.Error"/> says why.</summary>
    DeadLettered,

    /// <summary>
    /// It is no longer in Redis and left no result: a <see cref="TaskHandler{T}"/> (which has no
    /// result) finished it, it was cancelled, or its result outlived <see cref="RedisSchedulerOptions.ResultRetention"/>.
    /// </summary>
    Finished,

    /// <summary>
    /// It was cancelled before it ran. Reported only among a continuation's parents
    /// (<see cref="TaskContext.GetParentsAsync"/>); <see cref="ITaskScheduler.WaitForCompletionAsync"/>
    /// reports a cancelled task as <see cref="Finished"/>, as nothing of it is kept.
    /// </summary>
    Cancelled,
}
