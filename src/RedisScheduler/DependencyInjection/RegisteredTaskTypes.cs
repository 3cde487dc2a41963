using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RedisScheduler.Storage;

namespace RedisScheduler;

/// <summary>
/// <see cref="ITaskTypeRegistry"/> from the handlers <c>AddTaskHandler</c> registered and the types
/// <c>MapTaskType</c> named. A payload class without a valid name is left out (its handler fails at start).
/// </summary>
internal sealed class RegisteredTaskTypes(IEnumerable<RedisSchedulerBuilder.HandlerRegistration> handlers, IOptions<RedisSchedulerOptions> options, TaskTypeNames names) : ITaskTypeRegistry
{
    private readonly Lazy<IReadOnlyDictionary<string, Type>> payloadTypes = new(() => Collect(handlers, options.Value, names));

    public IReadOnlyDictionary<string, Type> PayloadTypes => payloadTypes.Value;

    private static Dictionary<string, Type> Collect(IEnumerable<RedisSchedulerBuilder.HandlerRegistration> handlers, RedisSchedulerOptions options, TaskTypeNames names)
    {
        var byName = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var payloadType in handlers.Select(h => PayloadTypeOf(h.HandlerType)).OfType<Type>().Concat(options.TaskTypeNames.Keys))
        {
            try
            {
                byName.TryAdd(names.GetKeys(payloadType).TaskType, payloadType);
            }
            catch (ArgumentException)
            {
                // No stable name: the handler of this type refuses to start and says why.
            }
        }

        return byName;
    }

    internal static Type? PayloadTypeOf(Type handlerType)
    {
        for (var type = handlerType; type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(TaskHandlerBase<>))
            {
                return type.GetGenericArguments()[0];
            }
        }

        return null;
    }
}
