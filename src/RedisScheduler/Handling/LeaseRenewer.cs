using Microsoft.Extensions.Logging;
using RedisScheduler.Storage;

namespace RedisScheduler.Handling;

/// <summary>
/// Renews the leases of a worker's tasks every third of a lease, so a task is handed out again only
/// when its worker died or stalled for most of a lease, and stops the handlers whose lease was lost.
/// </summary>
internal sealed class LeaseRenewer(TaskTypeKeys keys, InFlightTasks inFlight, RedisConnection connection, TimeSpan leaseDuration, TimeProvider time, ILogger logger)
{
    /// <summary>How often leases are renewed: two renewals can fail before a lease runs out.</summary>
    public TimeSpan Period => leaseDuration / 3;

    /// <summary>
    /// Renews until <paramref name="stop"/> fires. The worker fires it only when its last handler has
    /// finished or was handed back, not when stopping begins: a handler given
    /// <see cref="RedisSchedulerOptions.ShutdownTimeout"/> to finish must keep its task meanwhile.
    /// </summary>
    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                await RenewAsync(stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The last handler is finished or handed back.
        }
    }

    /// <summary>Renews every lease held now, once.</summary>
    public async Task RenewAsync(CancellationToken stop)
    {
        if (inFlight.IsEmpty)
        {
            return;
        }

        try
        {
            var database = await connection.GetDatabaseAsync(stop).ConfigureAwait(false);
            var reply = await RenewScript.Create(leaseDuration, inFlight.LeaseMembers).EvaluateAsync(database, keys).ConfigureAwait(false);
            foreach (var member in RenewScript.ParseReply(reply))
            {
                inFlight.AbandonLost(member);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            // Any failure, not only Redis's: a renewal loop that ended would let every long task run twice.
            Log.LeaseRenewalFailed(logger, e, keys.IdType, Period);
        }
    }
}
