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
internal sealed class OutcomeSender(TaskTypeKeys keys, RedisConnection connection, MasterReachability master, TimeSpan leaseDuration, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(1);

    /// <returns>The script's reply, or <see langword="null"/> when Redis stayed unreachable for a whole lease.</returns>
    public async Task<RedisResult?> SendAsync(ScriptCall call)
    {
        var giveUpAt = time.GetUtcNow() + leaseDuration;
        var backoff = new Backoff(FirstRetryDelay, MaxRetryDelay);
        var seen = connection.Topology.Generation;
        while (true)
        {
            try
            {
                // Redis commands take no cancellation token: finishing must reach Redis even while the host stops.
                var database = await connection.GetDatabaseAsync(CancellationToken.None).ConfigureAwait(false);
                var mark = await master.BeforeCallAsync(database.Multiplexer, "finishing call").ConfigureAwait(false);

                var reply = connection.Replicas.IsEnabled
                    ? await SendReplicatedAsync(database.Multiplexer, call).ConfigureAwait(false)
                    : await call.EvaluateAsync(database, keys).ConfigureAwait(false);
                master.Succeeded(mark);
                return reply;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                master.Failed();
                var delay = backoff.Next();
                if (time.GetUtcNow() + delay >= giveUpAt)
                {
                    // The lease runs out and the task is handed out again: at least once, never lost.
                    Log.FinishingAbandoned(logger, e, keys.IdType, leaseDuration);
                    return null;
                }

                // Retried as soon as the client learns of a topology change, at most once per change.
                if (await connection.Topology.DelayAsync(delay, seen, time, CancellationToken.None).ConfigureAwait(false))
                {
                    seen = connection.Topology.Generation;
                    Log.RetryAfterTopologyChange(logger, "finishing calls", keys.IdType, delay);
                }
            }
        }
    }

    /// <summary>
    /// <see cref="RedisSchedulerOptions.WaitForReplicas"/>: the script on the type's master, then WAIT
    /// there. The outcome is in Redis either way, so a shortfall is logged rather than retried
    /// (sending the script again would change nothing); a failover now could bring the delivery back,
    /// and the task would run again (at least once).
    /// </summary>
    private async Task<RedisResult> SendReplicatedAsync(IConnectionMultiplexer multiplexer, ScriptCall call)
    {
        var replicas = connection.Replicas;
        var replicated = await replicas.EvaluateAsync(multiplexer, keys, [call]).ConfigureAwait(false);
        if (replicated.Acknowledged < replicas.Replicas || replicated.WaitFailure is not null)
        {
            Log.OutcomeNotReplicated(logger, replicated.WaitFailure, keys.IdType, replicated.Acknowledged, replicas.Replicas, replicas.Timeout);
        }

        return replicated.Replies[0];
    }
}
