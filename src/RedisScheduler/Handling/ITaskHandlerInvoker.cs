namespace RedisScheduler.Handling;

/// <summary>
/// What a worker needs of the handler it serves: run one claimed task, and tell a failure that can
/// never succeed from one worth retrying. <see cref="TaskHandlerBase{T}"/> implements it, so the
/// worker calls the handler directly instead of through delegates handed to it.
/// </summary>
internal interface ITaskHandlerInvoker
{
    /// <summary>Runs the handler for one delivery of a task.</summary>
    /// <returns>The handler's result as JSON, or <see langword="null"/> when the handler has none.</returns>
    Task<byte[]?> InvokeAsync(ClaimedTask task, CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="failure"/> means the task goes to the dead letters at once instead of being retried.</summary>
    bool IsPermanentFailure(Exception failure);
}
