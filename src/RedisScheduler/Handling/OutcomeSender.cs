using Microsoft.Extensions.Logging;
using RedisScheduler.Common;
using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Handling;

/// <summary>
/// Sends the scripts that finish deliveries (ack, retry, dead, release). A connection failure is
/// retried while a lease lasts: giving up sooner would let the lease run out and the task run twice
/// although no worker died. The scripts are safe to repeat: if a first call did reach Redis, the
/// repeat finds the delivery gone and changes nothing.
/// </summary>
internal sealed class OutcomeSender(TaskTypeKeys keys, RedisConnection connection, TimeSpan leaseDuration, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(1);

    /// <returns>The script's reply, or <see langword="null"/> when Redis stayed unreachable for a whole lease.</returns>
    public async Task<RedisResult?> SendAsync(ScriptCall call)
    {
        var giveUpAt = time.GetUtcNow() + leaseDuration;
        var backoff = new Backoff(FirstRetryDelay, MaxRetryDelay);
        while (true)
        {
            try
            {
                // Redis commands take no cancellation token: finishing must reach Redis even while the host stops.
                var database = await connection.GetDatabaseAsync(CancellationToken.None).ConfigureAwait(false);
                return await call.EvaluateAsync(database, keys).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                var delay = backoff.Next();
                if (time.GetUtcNow() + delay >= giveUpAt)
                {
                    // The lease runs out and the task is handed out again: at least once, never lost.
                    Log.FinishingAbandoned(logger, e, keys.TaskType, leaseDuration);
                    return null;
                }

                await Task.Delay(delay, time, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
