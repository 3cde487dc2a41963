namespace RedisScheduler;

/// <summary>What a handler knows about the task it is running.</summary>
public sealed class TaskContext
{
    private readonly Func<TaskContext, CancellationToken, Task<IReadOnlyList<TaskCompletion>>> readParents;

    internal TaskContext(
        string taskId,
        string taskType,
        int attempt,
        DateTimeOffset scheduledAt,
        DateTimeOffset dueAt,
        IServiceProvider services,
        Func<TaskContext, CancellationToken, Task<IReadOnlyList<TaskCompletion>>> readParents)
    {
        this.readParents = readParents;
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

    /// <summary>
    /// For a continuation or a batch's completion task: how each of its parents ended, with the
    /// result of each that returned one, ordered by task id (for a batch, the order its payloads
    /// were given). One Redis read; for any other task, an empty list without one.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for Redis.</param>
    /// <returns>
    /// One <see cref="TaskCompletion"/> per parent: <see cref="TaskOutcome.Succeeded"/> (with
    /// <see cref="TaskCompletion.ResultJson"/> when its handler returned a result),
    /// <see cref="TaskOutcome.DeadLettered"/> (with <see cref="TaskCompletion.Error"/>) or
    /// <see cref="TaskOutcome.Cancelled"/>.
    /// </returns>
    public Task<IReadOnlyList<TaskCompletion>> GetParentsAsync(CancellationToken cancellationToken = default) => readParents(this, cancellationToken);
}
