using System.Globalization;
using StackExchange.Redis;

namespace RedisScheduler.Storage;

/// <summary>
/// <see cref="RedisSchedulerOptions.WaitForReplicas"/>: after a write, Redis <c>WAIT numreplicas timeout</c>
/// on the master that took it. WAIT counts the replicas that have every write its own client (its
/// connection) sent before it, so it must travel on the connection of the write, to the node of the
/// write: <see cref="IConnectionMultiplexer.GetServer(RedisKey, object, CommandFlags)"/> picks the master of the
/// key's slot, and a multiplexer has one interactive socket per node, the one the script went on.
/// That socket is shared, so the WAIT also covers every other write sent on it before, which is
/// harmless; but while Redis holds the WAIT it reads nothing else from that socket, so each WAIT
/// delays this multiplexer's other commands to that node by the replication round trip (or by the
/// whole timeout when too few replicas answer). StackExchange.Redis has no WAIT of its own for this
/// reason (StackExchange.Redis issues 490 and 1474); it is sent with <c>Execute</c>.
/// </summary>
internal sealed class ReplicaWait
{
    private readonly RedisValue replicas;
    private readonly RedisValue timeoutMs;

    public ReplicaWait(RedisSchedulerOptions options)
    {
        Replicas = options.WaitForReplicas;
        Timeout = options.WaitForReplicasTimeout;
        replicas = Replicas;
        timeoutMs = (long)Math.Ceiling(Timeout.TotalMilliseconds);
    }

    /// <summary>Gets whether writes wait for replicas at all.</summary>
    public bool IsEnabled => Replicas > 0;

    public int Replicas { get; }

    public TimeSpan Timeout { get; }

    /// <summary>Waits until the writes sent so far to the master of <paramref name="key"/> reached enough replicas; returns how many acknowledged them.</summary>
    /// <exception cref="RedisException">The WAIT itself failed (connection lost, timed out in the client).</exception>
    public async Task<int> WaitAsync(IConnectionMultiplexer multiplexer, RedisKey key)
        => (int)await Master(multiplexer, key).ExecuteAsync("WAIT", replicas, timeoutMs).ConfigureAwait(false);

    /// <summary>The synchronous <see cref="WaitAsync"/>, for the synchronous API.</summary>
    public int Wait(IConnectionMultiplexer multiplexer, RedisKey key)
        => (int)Master(multiplexer, key).Execute("WAIT", replicas, timeoutMs);

    /// <summary>
    /// Waits as <see cref="WaitAsync"/> does after scheduling <paramref name="taskIds"/>, and throws
    /// <see cref="ReplicationTimeoutException"/> when too few replicas acknowledged or the WAIT failed.
    /// </summary>
    public async Task EnsureAsync(IConnectionMultiplexer multiplexer, RedisKey key, Func<IReadOnlyList<string>> taskIds)
    {
        if (!IsEnabled)
        {
            return;
        }

        int acknowledged;
        try
        {
            acknowledged = await WaitAsync(multiplexer, key).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw Shortfall(taskIds(), 0, e);
        }

        if (acknowledged < Replicas)
        {
            throw Shortfall(taskIds(), acknowledged, null);
        }
    }

    /// <summary>The synchronous <see cref="EnsureAsync"/>.</summary>
    public void Ensure(IConnectionMultiplexer multiplexer, RedisKey key, string taskId)
    {
        if (!IsEnabled)
        {
            return;
        }

        int acknowledged;
        try
        {
            acknowledged = Wait(multiplexer, key);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw Shortfall([taskId], 0, e);
        }

        if (acknowledged < Replicas)
        {
            throw Shortfall([taskId], acknowledged, null);
        }
    }

    private static IServer Master(IConnectionMultiplexer multiplexer, RedisKey key)
        => multiplexer.GetServer(key, flags: CommandFlags.DemandMaster);

    private ReplicationTimeoutException Shortfall(IReadOnlyList<string> taskIds, int acknowledged, Exception? inner)
    {
        var what = taskIds.Count == 1 ? $"Task '{taskIds[0]}'" : $"{taskIds.Count} tasks (the first '{(taskIds.Count > 0 ? taskIds[0] : "")}')";
        var message = string.Format(
            CultureInfo.InvariantCulture,
            "{0} reached the Redis master but {1} of the {2} replica(s) required by RedisSchedulerOptions.WaitForReplicas confirmed it within {3} ms{4}. " +
            "It most likely exists and will run, but a failover now could lose it: check with GetTaskAsync before scheduling it again " +
            "(or schedule with ScheduleTaskOnceAsync, which does not duplicate), and check that the master's replicas are connected (INFO replication).",
            what,
            acknowledged,
            Replicas,
            (long)Timeout.TotalMilliseconds,
            inner is null ? "" : " (the WAIT itself failed: " + inner.Message + ")");
        return new ReplicationTimeoutException(message, taskIds, Replicas, acknowledged, inner);
    }
}
