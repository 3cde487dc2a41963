namespace RedisScheduler;

/// <summary>
/// The task types whose payload classes this application registered: those of its task handlers
/// (<c>AddTaskHandler</c>) and those named with <c>MapTaskType</c>. An admin API looks a task type
/// name it received here to find the class to read a payload into; a name is never turned into a
/// CLR type any other way. Registered by <c>services.AddRedisScheduler()</c>; thread-safe.
/// </summary>
public interface ITaskTypeRegistry
{
    /// <summary>The registered payload classes by task type name (ordinal), read once from the registrations.</summary>
    IReadOnlyDictionary<string, Type> PayloadTypes { get; }
}
