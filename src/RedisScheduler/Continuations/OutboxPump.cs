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

    public void Kick()
    {
        if (Interlocked.Increment(ref kicks) == 1)
        {
            _ = Task.Run(PumpAsync);
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
                Log.RedisCallFailed(logger, e, keys.TaskType, OutboxRecoveryInterval);
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
