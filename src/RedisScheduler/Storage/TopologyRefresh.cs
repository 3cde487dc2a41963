using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace RedisScheduler.Storage;

/// <summary>
/// Asks the client to re-read the servers' roles (<see cref="IConnectionMultiplexer.ConfigureAsync"/>)
/// when a call failed in a way that means they may have changed: a write refused with
/// <c>READONLY</c> (the master it went to was demoted, or the replica it went to is not promoted in
/// the client's view yet), a connection lost, or a timeout. Left to itself, StackExchange.Redis 2.13.17
/// re-reads them only on its own events, and after a Sentinel failover between servers it already
/// knew that came 1.0 to 1.5 s after the sentinels had named the new master (docs/scaling.md,
/// "Failover"). <c>ConfigureAsync</c> asks every known server for its role (<c>INFO replication</c>)
/// and, on a cluster, for the slot map (<c>CLUSTER NODES</c>), and the client routes by each reply
/// as it arrives; on a Sentinel-managed connection that covers the promoted replica, which is
/// already one of its servers. The client runs one re-read at a time (a call made while another is
/// under way returns <see langword="false"/> at once), so concurrent calls are safe; the library still
/// keeps to one at a time and one start per <see cref="MinimumInterval"/>, since every failing call of
/// every worker during a failover comes here.
/// </summary>
internal sealed class TopologyRefresh(TopologyChanges changes, TimeProvider time, ILogger logger)
{
    /// <summary>The shortest time between two re-reads started here.</summary>
    internal static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(500);

    private int running;
    private long lastStarted;

    /// <summary>Whether <paramref name="failure"/> means the servers' roles may have changed.</summary>
    public static bool MeansRolesMayHaveChanged(Exception failure) => failure switch
    {
        RedisServerException server => server.Message.StartsWith("READONLY", StringComparison.Ordinal),
        // RedisTimeoutException is a TimeoutException.
        RedisConnectionException or TimeoutException => true,
        _ => false,
    };

    /// <summary>
    /// Starts a re-read in the background if <paramref name="failure"/> calls for one and none was
    /// started within <see cref="MinimumInterval"/>; never waits for it. When it ends,
    /// <see cref="TopologyChanges"/> ends the retry loops' waits.
    /// </summary>
    public void After(Exception failure, IConnectionMultiplexer multiplexer)
    {
        if (!MeansRolesMayHaveChanged(failure) || Interlocked.CompareExchange(ref running, 1, 0) != 0)
        {
            return;
        }

        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref lastStarted);
        if (last != 0 && time.GetElapsedTime(last, now) < MinimumInterval)
        {
            Volatile.Write(ref running, 0);
            return;
        }

        Interlocked.Exchange(ref lastStarted, now);
        // On the pool: ConfigureAsync runs its first steps (one write per server) on the caller's thread.
        _ = Task.Run(() => RefreshAsync(multiplexer));
    }

    private async Task RefreshAsync(IConnectionMultiplexer multiplexer)
    {
        var ran = false;
        try
        {
            Log.TopologyRefreshStarted(logger);
            var started = time.GetTimestamp();
            ran = await multiplexer.ConfigureAsync().ConfigureAwait(false);
            var elapsed = time.GetElapsedTime(started);
            Log.TopologyRefreshEnded(logger, ran, elapsed);
        }
        catch (Exception e)
        {
            // The multiplexer was disposed, or no server answered: the callers' own retries go on.
            Log.TopologyRefreshFailed(logger, e);
        }
        finally
        {
            Volatile.Write(ref running, 0);
        }

        if (ran)
        {
            // A re-read asked for without naming a server raises no ConfigurationChanged of its own.
            changes.Signal();
        }
    }
}
