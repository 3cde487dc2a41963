using RedisScheduler.Common;
using RedisScheduler.Storage;
using RedisScheduler.Storage.Scripts;
using StackExchange.Redis;

namespace RedisScheduler.Scheduling;

/// <summary>
/// Waits for a task to end: subscribes to its type's done channel, counts itself as a waiter so
/// workers announce what they finish, and reads the outcome on every announcement naming the task,
/// and at least once a second in case an announcement was lost.
/// </summary>
internal static class CompletionWaiter
{
    private static readonly TimeSpan FallbackCheck = TimeSpan.FromSeconds(1);

    public static async Task<TaskCompletion> WaitAsync(IDatabase database, TaskTypeKeys keys, string taskId, string localId, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (timeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be zero or more.");
        }

        using var signal = new WakeSignal();
        var channel = PubSubMode.Channel(database.Multiplexer, keys.DoneChannel);
        Action<RedisChannel, RedisValue> onDone = (_, message) =>
        {
            if (((string?)message ?? "").Split('|').Contains(localId, StringComparer.Ordinal))
            {
                signal.Set();
            }
        };
        var subscriber = database.Multiplexer.GetSubscriber();
        await subscriber.SubscribeAsync(channel, onDone).ConfigureAwait(false);
        var deadline = time.GetUtcNow() + timeout;
        try
        {
            // Subscribed first, then registered and read: a task finishing in between is seen by the read.
            // Every read while waiting refreshes the waiter count's expiry, so a long wait keeps
            // getting announcements.
            var waiter = OutcomeScript.Waiter.Wait;
            while (true)
            {
                if (await OutcomeScript.RunAsync(database, keys, taskId, localId, waiter).WaitAsync(cancellationToken).ConfigureAwait(false) is { } completion)
                {
                    return completion;
                }

                waiter = OutcomeScript.Waiter.Refresh;

                var left = deadline - time.GetUtcNow();
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"Task {taskId} had not ended within {timeout}.");
                }

                await signal.WaitAsync(left < FallbackCheck ? left : FallbackCheck, time, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await subscriber.UnsubscribeAsync(channel, onDone).ConfigureAwait(false);
            // Best effort: a waiter that is never uncounted only costs announcements until the count expires.
            _ = OutcomeScript.RunAsync(database, keys, taskId, localId, OutcomeScript.Waiter.Leave);
        }
    }
}
