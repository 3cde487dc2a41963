using RedisScheduler.Common;
using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Handling;

/// <summary>
/// A worker's subscription to its type's wake channel, where schedule.lua and friends publish when a
/// task became due earlier than anything before it: each message sets the worker's
/// <see cref="WakeSignal"/>. Made on the first claim that reaches Redis, so a worker can start while
/// Redis is down.
/// </summary>
internal sealed class WakeSubscription(TaskTypeKeys keys, WakeSignal signal)
{
    private readonly Action<RedisChannel, RedisValue> onWake = (_, _) => signal.Set();
    private ISubscriber? subscriber;
    private RedisChannel channel;

    /// <summary>Subscribes through <paramref name="database"/>'s connection unless already subscribed.</summary>
    public async Task EnsureAsync(IDatabase database)
    {
        if (subscriber is not null)
        {
            return;
        }

        // Known only once connected: sharded on a Redis Cluster, plain on one server (PubSubMode).
        var chosen = PubSubMode.Channel(database.Multiplexer, keys.WakeChannel);
        var candidate = database.Multiplexer.GetSubscriber();
        await candidate.SubscribeAsync(chosen, onWake).ConfigureAwait(false);
        channel = chosen;
        subscriber = candidate;
    }

    public async Task UnsubscribeAsync()
    {
        if (subscriber is not null)
        {
            await subscriber.UnsubscribeAsync(channel, onWake).ConfigureAwait(false);
        }
    }
}
