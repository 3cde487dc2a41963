namespace RedisScheduler;

/// <summary>What a handler knows about the task it is running.</summary>
public sealed class TaskContext
{
    internal TaskContext(string taskId, string taskType, int attempt, DateTimeOffset scheduledAt, DateTimeOffset dueAt, IServiceProvider services)
    {
        TaskId = taskId;
        TaskType = taskType;
        Attempt = attempt;
        ScheduledAt = scheduledAt;
        DueAt = dueAt;
        Services = services;
    }

    /// <summary>The id returned when the task was scheduled.</summary>
    public string TaskId { get; }

    /// <summary>The stable task type name.</summary>
    public string TaskType { get; }

    /// <summary>1 on the first delivery; higher when the task is retried or its previous worker died.</summary>
    public int Attempt { get; }

    /// <summary>When the task was scheduled, by the Redis server's clock.</summary>
    public DateTimeOffset ScheduledAt { get; }

    /// <summary>When the task was due, by the Redis server's clock.</summary>
    public DateTimeOffset DueAt { get; }

    /// <summary>A dependency-injection scope created for this task alone and disposed when it ends, so scoped services (a DbContext) work.</summary>
    public IServiceProvider Services { get; }
}
