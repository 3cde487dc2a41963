using RedisScheduler.Handling;
using RedisScheduler.Storage;
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
        var channel = RedisChannel.Literal(keys.DoneChannel);
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
            var mode = "wait";
            while (true)
            {
                var outcome = (RedisResult[])(await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Outcome, keys.All, [localId, mode]).WaitAsync(cancellationToken).ConfigureAwait(false))!;
                mode = "refresh";
                switch ((string)outcome[0]!)
                {
                    case "succeeded":
                        return new TaskCompletion(taskId, TaskOutcome.Succeeded, outcome[1].IsNull ? null : (string)outcome[1]!, null);
                    case "dead":
                        return new TaskCompletion(taskId, TaskOutcome.DeadLettered, null, TaskErrorJson.Parse((string?)outcome[1]));
                    case "gone":
                        return new TaskCompletion(taskId, TaskOutcome.Finished, null, null);
                }

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
            _ = SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Outcome, keys.All, [localId, "leave"]);
        }
    }
}
