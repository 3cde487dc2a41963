using Microsoft.Extensions.Logging;
using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Handling;

/// <summary>
/// Whether a call for a task type's keys can reach their master now, asked only after such a call
/// failed (a claim or a finishing call of the type, which share this hint) or the client lost a
/// connection to a server since the last that reached Redis (an idle worker's first claim after a
/// kill is not a retry, yet went to the dead master too). A call sent while the
/// client routes the keys to a master it has lost waits in the client's queue for that master, up to
/// the client's timeout (5 s by default), and its loop cannot retry meanwhile: after a failover it sat
/// there although the new master was known a moment later (docs/scaling.md, "Failover").
/// </summary>
internal sealed class MasterReachability(TaskTypeKeys keys, TopologyChanges topology, TimeProvider time, ILogger logger)
{
    // The cluster probe is at most this often per type, however many calls ask: the verdict is shared.
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(200);

    private readonly object gate = new();
    private Task<bool>? probe;
    private long probedAt;

    // Set by a failed call, cleared by one that reached Redis; a hint only (a call sent ahead may race it).
    private volatile bool failing;
    private long lostBeforeSuccess;

    /// <summary>
    /// Before a claim or finishing call of the type: when it is suspect (the last call failed, or a
    /// connection was lost since the last that reached Redis; never on the normal path), checks that
    /// the type's master is reachable, and throws instead of sending a call that would wait in the
    /// client's queue for a master that is gone, up to the client's timeout (5 s by default), with its
    /// loop unable to retry meanwhile: the back-off (or a topology change) decides when to try again.
    /// </summary>
    /// <param name="multiplexer">The client the call goes through.</param>
    /// <param name="call">What is about to be sent, for the exception's message ("claim", "finishing call").</param>
    /// <returns>The mark to hand to <see cref="Succeeded"/> once the call has reached Redis.</returns>
    /// <exception cref="RedisConnectionException">The type's master is not reachable now.</exception>
    public async ValueTask<long> BeforeCallAsync(IConnectionMultiplexer multiplexer, string call)
    {
        var mark = topology.ConnectionsLost;
        var suspect = failing || mark != Interlocked.Read(ref lostBeforeSuccess);
        if (suspect && !await ReachableAsync(multiplexer).ConfigureAwait(false))
        {
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, $"No connected Redis master is known for task type '{keys.IdType}' (a failover may be under way); the {call} was not sent.");
        }

        return mark;
    }

    /// <summary>A call of the type failed.</summary>
    public void Failed() => failing = true;

    /// <summary>A call of the type, sent at <paramref name="mark"/>, reached Redis.</summary>
    public void Succeeded(long mark)
    {
        failing = false;
        Interlocked.Exchange(ref lostBeforeSuccess, mark);
    }

    /// <summary>
    /// With Sentinel or a single server: whether the client has a connected master, from what it knows
    /// (no call is made). On a cluster the client cannot tell (asked for the master of a slot whose
    /// master is down, it names any connected master instead), so a connected node is asked.
    /// </summary>
    private async ValueTask<bool> ReachableAsync(IConnectionMultiplexer multiplexer)
    {
        try
        {
            var server = multiplexer.GetServer(keys.Due, flags: CommandFlags.DemandMaster);
            if (server.ServerType != ServerType.Cluster)
            {
                return server.IsConnected;
            }
        }
        catch (InvalidOperationException)
        {
            // No master known for the key.
            return false;
        }

        Task<bool> asked;
        lock (gate)
        {
            if (probe is null || time.GetElapsedTime(probedAt) >= ProbeInterval)
            {
                probedAt = time.GetTimestamp();
                probe = ProbeClusterAsync(multiplexer);
            }

            asked = probe;
        }

        return await asked.ConfigureAwait(false);
    }

    /// <summary>
    /// A keyed EXISTS, with <see cref="CommandFlags.NoRedirect"/>, to the node the client would send
    /// the keys to now: the slot's master if connected, or else any connected node, which is answered
    /// at once by the owner itself or by a MOVED naming the owner. StackExchange.Redis records the MOVED
    /// in its slot map even unfollowed (ServerSelectionStrategy.TryResend), which after a failover is
    /// how the client learns the promoted replica's slots before it re-reads the cluster (some 2 s
    /// later); a second EXISTS then goes to the owner, and is answered only if it is connected.
    /// </summary>
    private async Task<bool> ProbeClusterAsync(IConnectionMultiplexer multiplexer)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await multiplexer.GetServer(keys.Due).ExecuteAsync("EXISTS", [keys.Due], CommandFlags.NoRedirect).ConfigureAwait(false);
                return true;
            }
            catch (Exception e) when (e is RedisException or TimeoutException or InvalidOperationException)
            {
                if (attempt == 2 || e is not RedisServerException)
                {
                    Log.SlotOwnerNotConnected(logger, e, keys.IdType);
                    return false;
                }
            }
        }
    }
}
