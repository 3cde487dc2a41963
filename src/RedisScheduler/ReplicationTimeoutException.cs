namespace RedisScheduler;

/// <summary>
/// Thrown by a scheduling call when <see cref="RedisSchedulerOptions.WaitForReplicas"/> is set and
/// fewer replicas than that confirmed the write within <see cref="RedisSchedulerOptions.WaitForReplicasTimeout"/>
/// (or the wait itself failed). The tasks were written to the master and most likely exist and will
/// run; they are not yet safe from a failover. Calling again schedules them a second time: look them
/// up with <see cref="ITaskScheduler.GetTaskAsync"/> first, or use
/// <see cref="ITaskScheduler.ScheduleTaskOnceAsync"/>, which never duplicates.
/// </summary>
public sealed class ReplicationTimeoutException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ReplicationTimeoutException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was not confirmed.</param>
    public ReplicationTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure of the wait.</summary>
    /// <param name="message">What was not confirmed.</param>
    /// <param name="innerException">Why the wait failed.</param>
    public ReplicationTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal ReplicationTimeoutException(string message, IReadOnlyList<string> taskIds, int requiredReplicas, int acknowledgedReplicas, Exception? innerException)
        : base(message, innerException)
    {
        TaskIds = taskIds;
        RequiredReplicas = requiredReplicas;
        AcknowledgedReplicas = acknowledgedReplicas;
    }

    /// <summary>Gets the ids of the tasks the call wrote (all of a batch), which may exist without being safe from a failover.</summary>
    public IReadOnlyList<string> TaskIds { get; } = [];

    /// <summary>Gets <see cref="RedisSchedulerOptions.WaitForReplicas"/> at the time of the call.</summary>
    public int RequiredReplicas { get; }

    /// <summary>Gets how many replicas confirmed the write; 0 when the wait itself failed (see <see cref="Exception.InnerException"/>).</summary>
    public int AcknowledgedReplicas { get; }
}
