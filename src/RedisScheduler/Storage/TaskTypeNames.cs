using System.Collections.Concurrent;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace RedisScheduler.Storage;

/// <summary>
/// Maps payload CLR types to their stable task type names (registration, then <see cref="TaskTypeAttribute"/>,
/// then the simple class name) and to their keys. Only ever CLR type to name: a name read from Redis
/// is never turned back into a type.
/// </summary>
internal sealed partial class TaskTypeNames
{
    private readonly ConcurrentDictionary<Type, TaskTypeKeys> keysByType = new();
    private readonly ConcurrentDictionary<string, TaskTypeKeys> keysByName = new(StringComparer.Ordinal);
    private readonly RedisSchedulerOptions options;
    private Dictionary<string, int>? partitionsByName;

    public TaskTypeNames(IOptions<RedisSchedulerOptions> options) => this.options = options.Value;

    public TaskTypeKeys GetKeys(Type payloadType) => keysByType.GetOrAdd(payloadType, t => GetKeys(NameOf(t)));

    /// <summary>The keys named by a task type, or by the id type of one of its partitions (<c>type#p</c>, from a task id).</summary>
    public TaskTypeKeys GetKeys(string idType) => keysByName.GetOrAdd(idType, n => TaskPartitions.TryParseIdType(n, out var type, out var partition)
        ? new TaskTypeKeys(options.KeyPrefix, type, partition)
        : throw new ArgumentException($"'{n}' is not a task type name.", nameof(idType)));

    /// <summary>The keys of <paramref name="partition"/> of <paramref name="taskType"/>.</summary>
    public TaskTypeKeys GetKeys(string taskType, int partition) => GetKeys(TaskPartitions.IdType(taskType, partition));

    /// <summary>How many partitions this application schedules <paramref name="taskType"/> into (<c>PartitionTaskType</c>); 1 when it is not partitioned.</summary>
    public int PartitionsOf(string taskType)
    {
        var byName = partitionsByName ??= options.TaskTypePartitions.ToDictionary(p => NameOf(p.Key), p => p.Value, StringComparer.Ordinal);
        return byName.GetValueOrDefault(taskType, 1);
    }

    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    public static void ThrowIfInvalidName(string? name, string paramName)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException(
                $"'{name}' is not a valid task type name: use 1 to 100 letters, digits, '.', '-' or '_', starting with a letter or digit.",
                paramName);
        }
    }

    private string NameOf(Type payloadType)
    {
        if (options.TaskTypeNames.TryGetValue(payloadType, out var mapped))
        {
            return mapped;
        }

        var attribute = payloadType.GetCustomAttribute<TaskTypeAttribute>(inherit: false);
        if (attribute is not null)
        {
            ThrowIfInvalidName(attribute.Name, nameof(payloadType));
            return attribute.Name;
        }

        if (IsValidName(payloadType.Name) && !payloadType.IsGenericType)
        {
            return payloadType.Name;
        }

        throw new ArgumentException(
            $"The payload type '{payloadType}' has no stable task type name (generic, anonymous and nested-generated types have none). " +
            $"Put [TaskType(\"my-task\")] on it, or call MapTaskType<{payloadType.Name}>(\"my-task\") on the builder returned by AddRedisScheduler().",
            nameof(payloadType));
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
