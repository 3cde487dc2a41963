using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RedisScheduler.Continuations;
using RedisScheduler.Handling;
using RedisScheduler.Storage;

namespace RedisScheduler;

/// <summary>
/// What <see cref="TaskHandler{T}"/> and <see cref="TaskHandler{T, TResult}"/> share: the hosted
/// service that fetches due tasks of <typeparamref name="T"/>'s type from Redis. Derive from one of
/// those two, not from this class.
/// </summary>
/// <remarks>
/// Delivery is at least once: a task runs again only if the worker holding it died or lost its
/// lease, so make handlers idempotent where a second run would matter. An exception from the
/// handler schedules a retry with the handler's <see cref="RetryPolicy"/>, or moves the task to the
/// dead letters after its last attempt or for a permanent failure (<see cref="IsPermanentFailure"/>).
/// The constructor may take singleton services; scoped services come from <see cref="TaskContext.Services"/>.
/// </remarks>
/// <typeparam name="T">The payload type.</typeparam>
public abstract class TaskHandlerBase<T> : BackgroundService, ITaskHandlerBinding, ITaskHandlerInvoker
{
    private TaskWorker? worker;
    private IServiceScopeFactory? scopes;
    private string? taskType;
    private Func<TaskContext, CancellationToken, Task<IReadOnlyList<TaskCompletion>>>? readParents;

    // Protected, not private protected: the private protected abstract InvokeAsync already keeps other
    // assemblies from deriving from this class, and an inheritable base lets the public API analyzer
    // track the protected members that TaskHandler<T> exposes (IsPermanentFailure) instead of
    // reporting RS0022 and skipping them.

    /// <summary>Called by <see cref="TaskHandler{T}"/> and <see cref="TaskHandler{T, TResult}"/> only.</summary>
    protected TaskHandlerBase()
    {
    }

    /// <summary>Serializes payloads and results; set when the handler is registered.</summary>
    private protected PayloadSerializer? Serializer { get; private set; }

    void ITaskHandlerBinding.Bind(IServiceProvider services, string optionsName)
    {
        var factory = services.GetRequiredService<TaskWorkerFactory>();
        var keys = factory.KeysOf(typeof(T));
        taskType = keys.TaskType;
        var continuations = services.GetRequiredService<ContinuationScheduler>();
        // One delegate per handler, not per task: the context passes itself.
        readParents = (context, ct) => continuations.ReadParentsAsync(keys, context.LocalId, ct);
        scopes = services.GetRequiredService<IServiceScopeFactory>();
        Serializer = services.GetRequiredService<PayloadSerializer>();
        worker = factory.Create(keys, optionsName, this);
    }

    /// <summary>
    /// Whether an exception from the handler means the task can never succeed, so it
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

    /// <summary>Runs the subclass's handler; returns the result as JSON, or <see langword="null"/> when the handler has none.</summary>
    private protected abstract Task<byte[]?> InvokeAsync(T payload, TaskContext context, CancellationToken cancellationToken);

    bool ITaskHandlerInvoker.IsPermanentFailure(Exception failure)
        => failure is PayloadDeserializationException or ResultSerializationException || IsPermanentFailure(failure);

    async Task<byte[]?> ITaskHandlerInvoker.InvokeAsync(ClaimedTask task, CancellationToken cancellationToken)
    {
        T payload;
        try
        {
            payload = Serializer!.Deserialize<T>(task.Record.Payload.Span);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException)
        {
            throw new PayloadDeserializationException(
                $"The stored payload cannot be read as {typeof(T).Name}: {e.Message} It was probably written by an incompatible version of the payload type.",
                e);
        }

        var record = task.Record;
        var context = new TaskContext(
            TaskId.Format(task.Call.IdType ?? taskType!, task.LocalId),
            task.LocalId,
            taskType!,
            record.Attempt,
            DateTimeOffset.FromUnixTimeMilliseconds(record.ScheduledAtMs),
            DateTimeOffset.FromUnixTimeMilliseconds(record.DueAtMs),
            scopes!,
            readParents!);
        try
        {
            return await InvokeAsync(payload, context, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await context.DisposeScopeAsync().ConfigureAwait(false);
        }
    }
}
