using System.Globalization;
using RedisScheduler.LoadTest.Agent;

namespace RedisScheduler.LoadTest.Systems;

/// <summary>
/// The task types the RedisScheduler agent spreads its tasks over: <c>--set redisscheduler:types=N</c>
/// (1 to 3, default 1), each type <c>--set redisscheduler:partitions=N</c> partitions (default 1).
/// Task number k goes to type k mod N, so every type gets a third of each workload.
/// The names are chosen for the load test's 3-master cluster on loopback (slots 0-5460, 5461-10922 and
/// 10923-16383, as <c>redis-cli --cluster create</c> assigns them): the three types are on three
/// different masters, and so are the first type's partitions 0, 1 and 2. The coordinator checks this
/// against the cluster it starts (<see cref="Coordinator.TypePlacementCheck"/>) and warns if not.
/// </summary>
internal static class LoadTaskTypes
{
    /// <summary>Slots 14515 (order-e), 2132 (order-b) and 6261 (order-c); order-e#1 is 9103 and order-e#2 5100.</summary>
    public static readonly IReadOnlyList<string> Names = ["order-e", "order-b", "order-c"];

    public static int Types(IReadOnlyDictionary<string, string> settings) => Read(settings, "types", Names.Count);

    public static int Partitions(IReadOnlyDictionary<string, string> settings) => Read(settings, "partitions", 64);

    /// <summary>The same two settings, from the coordinator's <c>--set redisscheduler:KEY=VALUE</c> list.</summary>
    public static Dictionary<string, string> FromSettings(IEnumerable<string> keyValues)
        => keyValues.Select(s => s.Split('=', 2)).Where(p => p.Length == 2).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1], StringComparer.Ordinal);

    private static int Read(IReadOnlyDictionary<string, string> settings, string key, int max)
    {
        var value = settings.TryGetValue(key, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : 1;
        return value >= 1 && value <= max ? value : throw new ArgumentException($"{key} must be from 1 to {max}, not {value}.");
    }
}

/// <summary>The payload of the second and third task types: <see cref="LoadOrder"/>'s fields (same JSON), another CLR type so it maps to another task type.</summary>
/// <typeparam name="TSlot">Only tells the types apart.</typeparam>
internal sealed record LoadOrderOf<TSlot>(int OrderId, string Customer, decimal Amount, string Note) : ILoadOrder;

/// <summary>Tells <see cref="LoadOrderOf{TSlot}"/> of the second type apart.</summary>
internal sealed class SecondType;

/// <summary>Tells <see cref="LoadOrderOf{TSlot}"/> of the third type apart.</summary>
internal sealed class ThirdType;
