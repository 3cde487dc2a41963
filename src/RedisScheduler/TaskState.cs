namespace RedisScheduler;

/// <summary>Where a task is in its life.</summary>
public enum TaskState
{
    /// <summary>Waiting for its due time.</summary>
    Scheduled,

    /// <summary>Due, waiting for a free worker.</summary>
    Ready,

    /// <summary>Held by a worker under a lease.</summary>
    Processing,

    /// <summary>Failed for good; see <see cref="IDeadLetterStore"/>.</summary>
    DeadLettered,

    /// <summary>A continuation waiting for its parents to end; see <see cref="ITaskScheduler.ScheduleContinuationAsync"/>.</summary>
    Waiting,

    /// <summary>
    /// Its last attempt failed and it waits for the next one (<see cref="TaskInfo.LastError"/> says
    /// why), until a worker takes it. These tasks are also in the schedule or, once their retry is
    /// due, a ready list: they are listed and counted as <see cref="Scheduled"/> or <see cref="Ready"/> too.
    /// </summary>
    Failed,
}
