using Microsoft.Extensions.Logging;

namespace RedisScheduler;

/// <summary>Every log message of the library. Event ids are stable: users' dashboards and alerts key on them.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Worker for task type '{TaskType}' started with concurrency {Concurrency}")]
    public static partial void WorkerStarted(ILogger logger, string taskType, int concurrency);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Worker for task type '{TaskType}' stopped")]
    public static partial void WorkerStopped(ILogger logger, string taskType);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Task {TaskId} failed on attempt {Attempt}; retrying in {RetryDelay}")]
    public static partial void TaskFailed(ILogger logger, Exception exception, string taskId, int attempt, TimeSpan retryDelay);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Task {TaskId} finished after its lease was lost; another worker may have run it too")]
    public static partial void LeaseLost(ILogger logger, string taskId);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "Redis call of the worker for task type '{TaskType}' failed; retrying in {RetryDelay}")]
    public static partial void RedisCallFailed(ILogger logger, Exception exception, string taskType, TimeSpan retryDelay);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Task {TaskId} was given back unfinished because the worker is stopping")]
    public static partial void TaskReleased(ILogger logger, string taskId);
}
