using RedisScheduler.Handling;

namespace RedisScheduler;

/// <summary>
/// Handles tasks whose payload is <typeparamref name="T"/> and returns a <typeparamref name="TResult"/>,
/// which is stored with the task for <see cref="RedisSchedulerOptions.ResultRetention"/> and returned by
/// <see cref="ITaskScheduler.WaitForCompletionAsync"/>. Register it like any handler.
/// </summary>
/// <inheritdoc cref="TaskHandlerBase{T}" path="/remarks"/>
/// <typeparam name="T">The payload type.</typeparam>
/// <typeparam name="TResult">The result type; serialized as JSON, at most <see cref="RedisSchedulerOptions.MaxPayloadBytes"/>.</typeparam>
public abstract class TaskHandler<T, TResult> : TaskHandlerBase<T>
{
    /// <summary>Handles one task and returns its result.</summary>
    /// <param name="payload">The payload given when the task was scheduled.</param>
    /// <param name="context">The task's id, attempt, times and a service scope of its own.</param>
    /// <param name="cancellationToken">
    /// Cancelled when the host stops (the task is then handed out again at once) or when this
    /// worker lost the task's lease (another worker may run it; this run's outcome no longer counts).
    /// </param>
    /// <returns>The result; a fault schedules a retry or dead-letters the task.</returns>
    protected abstract Task<TResult> HandleAsync(T payload, TaskContext context, CancellationToken cancellationToken);

    private protected sealed override async Task<byte[]?> InvokeAsync(T payload, TaskContext context, CancellationToken cancellationToken)
    {
        var result = await HandleAsync(payload, context, cancellationToken).ConfigureAwait(false);
        if (result is null)
        {
            return "null"u8.ToArray();
        }

        try
        {
            return Serializer!.Serialize(result);
        }
        catch (ArgumentException e)
        {
            // A result that cannot be stored will not become storable on a retry.
            throw new ResultSerializationException($"The result of task {context.TaskId} cannot be stored: {e.Message}", e);
        }
    }
}
