using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace RedisScheduler.Registry;

/// <summary>
/// The keys of the worker registry: <c>&lt;prefix&gt;:{:registry}:workers</c>, <c>…:info</c> and
/// <c>…:types</c>. Their hash tag <c>{:registry}</c> can never be a task type's (a type name has no
/// <c>:</c>), so they are one cluster slot apart from every type's keys, and registry.lua touches one slot.
/// </summary>
internal sealed class RegistryKeys
{
    public RegistryKeys(IOptions<RedisSchedulerOptions> options)
    {
        var stem = $"{options.Value.KeyPrefix}:{{:registry}}:";
        All = [stem + "workers", stem + "info", stem + "types"];
    }

    /// <summary>workers, info, types: the order registry.lua expects.</summary>
    public RedisKey[] All { get; }

    public RedisKey Types => All[2];
}
