namespace RedisScheduler;

/// <summary>
/// Names the task type of a payload class in Redis. The name is stored with every task and must
/// stay stable across deployments; without this attribute the class's simple name is used.
/// </summary>
/// <param name="name">Letters, digits, <c>.</c>, <c>-</c> or <c>_</c>; at most 100 characters.</param>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class TaskTypeAttribute(string name) : Attribute
{
    /// <summary>The task type name.</summary>
    public string Name { get; } = name;
}
