namespace RedisScheduler;

/// <summary>
/// Handles tasks whose payload is <typeparamref name="T"/>. Subclass it, override
/// <see cref="HandleAsync"/>, and register it with <c>AddRedisScheduler().AddTaskHandler&lt;THandler&gt;()</c>;
/// it then runs as a hosted service that fetches due tasks from Redis. For a handler that returns a
/// result, derive from <see cref="TaskHandler{T, TResult}"/> instead.
/// </summary>
/// <inheritdoc cref="TaskHandlerBase{T}" path="/remarks"/>
/// <typeparam name="T">The payload type.</typeparam>
public abstract class TaskHandler<T> : TaskHandlerBase<T>
{
    /// <summary>Handles one task.</summary>
    /// <param name="payload">The payload given when the task was scheduled.</param>
    /// <param name="context">The task's id, attempt, times and a service scope of its own.</param>
    /// <param name="cancellationToken">
    /// Cancelled when the host stops (the task is then handed out again at once) or when this
    /// worker lost the task's lease (another worker may run it; this run's outcome no longer counts).
    /// </param>
    /// <returns>A task that completes when the work is done; a fault schedules a retry or dead-letters the task.</returns>
    protected abstract Task HandleAsync(T payload, TaskContext context, CancellationToken cancellationToken);

    private protected sealed override async Task<byte[]?> InvokeAsync(T payload, TaskContext context, CancellationToken cancellationToken)
    {
        await HandleAsync(payload, context, cancellationToken).ConfigureAwait(false);
        return null;
    }
}
