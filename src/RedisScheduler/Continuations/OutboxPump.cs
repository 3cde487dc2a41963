using Microsoft.Extensions.Logging;
using RedisScheduler.Storage;

namespace RedisScheduler.Continuations;

/// <summary>
/// Delivers one type's outbox in the background whenever a worker's script reports new entries, and
/// periodically in case the worker that wrote an entry died before delivering it. Kicks that arrive
/// while a delivery runs are served by one more pass, never by concurrent passes.
/// </summary>
internal sealed class OutboxPump(TaskTypeKeys keys, ContinuationRelay relay, RedisConnection connection, ILogger logger)
{
    /// <summary>How often a worker delivers its type's outbox without being asked.</summary>
    public static readonly TimeSpan OutboxRecoveryInterval = TimeSpan.FromSeconds(5);

    private int kicks;

    /// <summary>A pump for another partition of the same type, sharing this one's relay and connection.</summary>
    public OutboxPump For(TaskTypeKeys partition) => new(partition, relay, connection, logger);

    public void Kick()
    {
        if (Interlocked.Increment(ref kicks) == 1)
        {
            _ = Task.Run(PumpAsync);
        }
    }

    /// <summary>
    /// Delivers the outbox now and then every <see cref="OutboxRecoveryInterval"/> until
    /// <paramref name="stop"/>, on its own timer so that a worker's busy slots cannot hold it up:
    /// entries are normally delivered by the worker that wrote them, and this catches those whose
    /// worker died first, failed deliveries, and leases that ran out on a last attempt in claim.lua.
    /// </summary>
    public async Task DeliverPeriodicallyAsync(TimeProvider time, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(OutboxRecoveryInterval, time);
        try
        {
            do
            {
                Kick();
            }
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The worker has stopped.
        }
    }

    private async Task PumpAsync()
    {
        while (true)
        {
            var seen = Volatile.Read(ref kicks);
            try
            {
                var database = await connection.GetDatabaseAsync(CancellationToken.None).ConfigureAwait(false);
                await relay.DeliverAsync(database, keys).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // The entries stay in the outbox; the worker's periodic kick delivers them later.
                Log.OutboxDeliveryFailed(logger, e, keys.IdType, OutboxRecoveryInterval);
                Volatile.Write(ref kicks, 0);
                return;
            }

            if (Interlocked.Add(ref kicks, -seen) == 0)
            {
                return;
            }
        }
    }
}
