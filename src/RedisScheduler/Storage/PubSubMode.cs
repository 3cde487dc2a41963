using System.Runtime.CompilerServices;
using StackExchange.Redis;

namespace RedisScheduler.Storage;

/// <summary>
/// Plain or sharded pub/sub for a connection. On a Redis Cluster a plain PUBLISH is broadcast over the
/// cluster bus to every node, and a subscriber listens on whichever node the client picked; a type's
/// wake and done channels carry its hash tag, so with sharded pub/sub (SPUBLISH in the scripts,
/// SSUBSCRIBE through <see cref="RedisChannel.Sharded(string)"/>) they live on the shard that holds the
/// type's keys, follow it through a failover, and cost the other shards nothing. One server keeps plain
/// pub/sub, which every Redis-compatible server and proxy supports.
/// </summary>
internal static class PubSubMode
{
    // Decided once per connection, on the first call that finds a connected server.
    private static readonly ConditionalWeakTable<IConnectionMultiplexer, StrongBox<bool>> Decided = [];

    public static bool IsSharded(IConnectionMultiplexer multiplexer)
    {
        if (Decided.TryGetValue(multiplexer, out var known))
        {
            return known.Value;
        }

        var connected = multiplexer.GetServers().FirstOrDefault(s => s.IsConnected);
        if (connected is null)
        {
            // Nothing known yet; a command now fails or waits for the connection anyway.
            return false;
        }

        return Decided.GetValue(multiplexer, _ => new StrongBox<bool>(connected.ServerType == ServerType.Cluster)).Value;
    }

    /// <summary>The channel to subscribe to for <paramref name="name"/> on this connection.</summary>
    public static RedisChannel Channel(IConnectionMultiplexer multiplexer, string name)
        => IsSharded(multiplexer) ? RedisChannel.Sharded(name) : RedisChannel.Literal(name);
}
