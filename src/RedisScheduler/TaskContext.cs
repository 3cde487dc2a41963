using Microsoft.Extensions.DependencyInjection;

namespace RedisScheduler;

/// <summary>What a handler knows about the task it is running.</summary>
public sealed class TaskContext
{
    private readonly Func<TaskContext, CancellationToken, Task<IReadOnlyList<TaskCompletion>>> readParents;
    private readonly IServiceScopeFactory scopes;
    private IServiceScope? scope;

    internal TaskContext(
        string taskId,
        string localId,
        string taskType,
        int attempt,
        DateTimeOffset scheduledAt,
        DateTimeOffset dueAt,
        IServiceScopeFactory scopes,
        Func<TaskContext, CancellationToken, Task<IReadOnlyList<TaskCompletion>>> readParents)
    {
        this.scopes = scopes;
        this.readParents = readParents;
        TaskId = taskId;
        LocalId = localId;
        TaskType = taskType;
        Attempt = attempt;
        ScheduledAt = scheduledAt;
        DueAt = dueAt;
    }

    /// <summary>The id returned when the task was scheduled.</summary>
    public string TaskId { get; }

    /// <summary>The task's member in its type's keys: the part of <see cref="TaskId"/> after the slash.</summary>
    internal string LocalId { get; }

    /// <summary>The stable task type name.</summary>
    public string TaskType { get; }

    /// <summary>1 on the first delivery; higher when the task is retried or its previous worker died.</summary>
    public int Attempt { get; }

    /// <summary>When the task was scheduled, by the Redis server's clock.</summary>
    public DateTimeOffset ScheduledAt { get; }

    /// <summary>When this attempt was due, by the Redis server's clock: for a retry, when the retry fell due, not the first attempt.</summary>
    public DateTimeOffset DueAt { get; }

    /// <summary>
    /// A dependency-injection scope for this task alone, disposed when the task ends, so scoped
    /// services (a DbContext) work. Created the first time it is read: a handler that never reads
    /// it costs no scope.
    /// </summary>
    public IServiceProvider Services
    {
        get
        {
            if (Volatile.Read(ref scope) is { } created)
            {
                return created.ServiceProvider;
            }

            // CreateScope, not CreateAsyncScope: the scope is kept as IServiceScope, and disposed
            // asynchronously when it supports that (DisposeScopeAsync).
            var fresh = scopes.CreateScope();
            var winner = Interlocked.CompareExchange(ref scope, fresh, null);
            if (winner is not null)
            {
                // Read from two threads at once: one scope serves both.
                fresh.Dispose();
                return winner.ServiceProvider;
            }

            return fresh.ServiceProvider;
        }
    }

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

    /// <summary>
    /// Disposes the task's scope, if <see cref="Services"/> created one. Afterwards
    /// <see cref="Services"/> throws, as it did when the scope was made up front: code the handler
    /// left running must not create a scope that nothing would dispose.
    /// </summary>
    internal ValueTask DisposeScopeAsync()
        => Interlocked.Exchange(ref scope, EndedScope.Instance) switch
        {
            EndedScope or null => ValueTask.CompletedTask,
            IAsyncDisposable asyncScope => asyncScope.DisposeAsync(),
            var syncScope => Dispose(syncScope),
        };

    private static ValueTask Dispose(IDisposable disposable)
    {
        disposable.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Stands in for the scope once the task has ended.</summary>
    private sealed class EndedScope : IServiceScope
    {
        public static readonly EndedScope Instance = new();

        public IServiceProvider ServiceProvider => throw new ObjectDisposedException(
            nameof(TaskContext), "The task has ended, and with it its service scope: read TaskContext.Services only while the handler runs.");

        public void Dispose()
        {
        }
    }
}
