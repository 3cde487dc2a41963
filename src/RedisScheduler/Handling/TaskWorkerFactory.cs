using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RedisScheduler.Continuations;
using RedisScheduler.Storage;

namespace RedisScheduler.Handling;

/// <summary>Builds the <see cref="TaskWorker"/> behind each registered handler from the shared services.</summary>
internal sealed class TaskWorkerFactory(
    RedisConnection connection,
    TaskTypeNames names,
    IOptions<RedisSchedulerOptions> options,
    IOptionsMonitor<TaskHandlerOptions> handlerOptions,
    ILoggerFactory loggerFactory,
    TimeProvider time,
    ContinuationRelay relay,
    InstanceWorkers instance)
{
    public TaskTypeKeys KeysOf(Type payloadType) => names.GetKeys(payloadType);

    public TaskWorker Create(TaskTypeKeys keys, string optionsName, ITaskHandlerInvoker invoker)
    {
        var logger = loggerFactory.CreateLogger("RedisScheduler.TaskWorker." + keys.TaskType);
        var handler = handlerOptions.Get(optionsName);
        var pulse = instance.Add(keys.TaskType, handler.Concurrency);
        return new(keys, handler, options.Value, connection, new OutboxPump(keys, relay, connection, logger), invoker, time, logger, pulse, names.PartitionsOf(keys.TaskType));
    }
}
