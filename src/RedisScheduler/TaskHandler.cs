using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RedisScheduler.Handling;
using RedisScheduler.Scheduling;
using RedisScheduler.Storage;

namespace RedisScheduler;

/// <summary>
/// Handles tasks whose payload is <typeparamref name="T"/>. Subclass it, override
/// <see cref="HandleAsync"/>, and register it with <c>AddRedisScheduler().AddTaskHandler&lt;THandler&gt;()</c>;
/// it then runs as a hosted service that fetches due tasks from Redis.
/// </summary>
/// <remarks>
/// Delivery is at least once: a task runs again only if the worker holding it died or lost its
/// lease, so make handlers idempotent where a second run would matter. An exception from
/// <see cref="HandleAsync"/> schedules a retry with the handler's <see cref="RetryPolicy"/>, or moves
/// the task to the dead letters after its last attempt or for a permanent failure
/// (<see cref="IsPermanentFailure"/>). The constructor may take
/// singleton services; scoped services come from <see cref="TaskContext.Services"/>.
/// </remarks>
/// <typeparam name="T">The payload type.</typeparam>
public abstract class TaskHandler<T> : BackgroundService, ITaskHandlerBinding
{
    private TaskWorker? worker;
    private IServiceScopeFactory? scopes;
    private PayloadSerializer? serializer;
    private string? taskType;

    void ITaskHandlerBinding.Bind(IServiceProvider services, string optionsName)
    {
        var factory = services.GetRequiredService<TaskWorkerFactory>();
        var keys = factory.KeysOf(typeof(T));
        taskType = keys.TaskType;
        scopes = services.GetRequiredService<IServiceScopeFactory>();
        serializer = services.GetRequiredService<PayloadSerializer>();
        worker = factory.Create(keys, optionsName, RunTaskAsync, e => e is PayloadDeserializationException || IsPermanentFailure(e));
    }

    /// <summary>Handles one task.</summary>
    /// <param name="payload">The payload given when the task was scheduled.</param>
    /// <param name="context">The task's id, attempt, times and a service scope of its own.</param>
    /// <param name="cancellationToken">
    /// Cancelled when the host stops (the task is then handed out again at once) or when this
    /// worker lost the task's lease (another worker may run it; this run's outcome no longer counts).
    /// </param>
    /// <returns>A task that completes when the work is done; a fault schedules a retry or dead-letters the task.</returns>
    protected abstract Task HandleAsync(T payload, TaskContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Whether an exception from <see cref="HandleAsync"/> means the task can never succeed, so it
    /// moves to the dead letters at once instead of being retried. A payload that cannot be read as
    /// <typeparamref name="T"/> is always permanent.
    /// </summary>
    /// <param name="exception">What the handler threw.</param>
    /// <returns><see langword="true"/> for <see cref="PermanentTaskFailureException"/>; override to add others.</returns>
    protected virtual bool IsPermanentFailure(Exception exception) => exception is PermanentTaskFailureException;

    /// <inheritdoc />
    protected sealed override Task ExecuteAsync(CancellationToken stoppingToken)
        => worker?.RunAsync(stoppingToken) ?? throw new InvalidOperationException(
            $"{GetType().Name} was registered as a plain hosted service. Register it with services.AddRedisScheduler(...).AddTaskHandler<{GetType().Name}>() instead of AddHostedService.");

    private async Task RunTaskAsync(ClaimedTask task, CancellationToken cancellationToken)
    {
        T payload;
        try
        {
            payload = serializer!.Deserialize<T>(task.Record.Payload.Span);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException)
        {
            throw new PayloadDeserializationException(
                $"The stored payload cannot be read as {typeof(T).Name}: {e.Message} It was probably written by an incompatible version of the payload type.",
                e);
        }

        var scope = scopes!.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var record = task.Record;
            var context = new TaskContext(
                TaskId.Format(taskType!, task.LocalId),
                taskType!,
                record.Attempt,
                DateTimeOffset.FromUnixTimeMilliseconds(record.ScheduledAtMs),
                DateTimeOffset.FromUnixTimeMilliseconds(record.DueAtMs),
                scope.ServiceProvider);
            await HandleAsync(payload, context, cancellationToken).ConfigureAwait(false);
        }
    }
}
