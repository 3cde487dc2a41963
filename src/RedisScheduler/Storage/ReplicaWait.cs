using System.Globalization;
using StackExchange.Redis;

namespace RedisScheduler.Storage;

/// <summary>
/// <see cref="RedisSchedulerOptions.WaitForReplicas"/>: script calls followed by Redis
/// <c>WAIT numreplicas timeout</c>. WAIT counts the replicas that have every write its own client
/// (connection) sent before it, so it is only worth something on the socket of the writes, on the
/// node that ran them. Hence both go to one explicitly chosen node
/// (<see cref="IConnectionMultiplexer.GetServer(RedisKey, object, CommandFlags)"/>, the master of the
/// keys' slot), the calls with <see cref="CommandFlags.NoRedirect"/> so that a cluster's MOVED fails
/// the call instead of running it elsewhere, and WAIT queued right behind them, before any reply, so
/// a reconnect cannot slip between them. Letting StackExchange.Redis route the calls and sending WAIT
/// afterwards lost confirmed schedules on the cluster in DurabilityTests: during a failover the WAIT
/// could reach another master, where a client with no writes is answered at once.
/// The socket is the multiplexer's shared one: the WAIT also covers everyone's earlier writes on it
/// (harmless), and while Redis holds it, it reads nothing else from that socket, which delays this
/// multiplexer's other commands to that node by the replication round trip (by the whole timeout
/// when too few replicas answer). This is why StackExchange.Redis has no WAIT of its own (its
/// issues 490 and 1474); it is sent with <c>Execute</c>.
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

    /// <summary>
    /// Runs <paramref name="calls"/> (scripts on <paramref name="keys"/>' type) on the type's master,
    /// then WAIT there. A failed call throws as it would without the option; a failed WAIT does not
    /// (the writes were made): it is returned in <see cref="ReplicatedReplies.WaitFailure"/>.
    /// </summary>
    public async Task<ReplicatedReplies> EvaluateAsync(IConnectionMultiplexer multiplexer, TaskTypeKeys keys, IReadOnlyList<ScriptCall> calls)
    {
        var server = await MasterAsync(multiplexer, keys).ConfigureAwait(false);
        var replies = new RedisResult[calls.Count];
        var pending = Enumerable.Range(0, calls.Count).ToList();
        var fullText = false;
        while (true)
        {
            var sent = pending.Select(i => Send(server, calls[i].Script.For(multiplexer), keys, calls[i].Arguments, fullText)).ToList();
            var wait = server.ExecuteAsync("WAIT", replicas, timeoutMs);
            var noScript = new List<int>();
            Exception? failure = null;
            for (var n = 0; n < sent.Count; n++)
            {
                try
                {
                    replies[pending[n]] = await sent[n].ConfigureAwait(false);
                }
                catch (RedisServerException e) when (SchedulerScripts.IsNoScript(e) && !fullText)
                {
                    noScript.Add(pending[n]);
                }
                catch (Exception e)
                {
                    failure ??= e;
                }
            }

            int acknowledged;
            Exception? waitFailure = null;
            try
            {
                acknowledged = (int)await wait.ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                acknowledged = 0;
                waitFailure = e;
            }

            if (failure is not null)
            {
                if (failure is RedisConnectionException || failure.Message.StartsWith("MOVED", StringComparison.Ordinal) || failure.Message.StartsWith("READONLY", StringComparison.Ordinal) || failure.Message.Contains("NoRedirect", StringComparison.Ordinal))
                {
                    await LearnMasterAsync(multiplexer, keys).ConfigureAwait(false);
                }

                throw failure;
            }

            if (noScript.Count == 0)
            {
                return new ReplicatedReplies(replies, acknowledged, waitFailure);
            }

            // The node has not cached the script (it restarted or took over): send it in full, then WAIT again.
            pending = noScript;
            fullText = true;
        }
    }

    /// <summary>Throws <see cref="ReplicationTimeoutException"/> naming <paramref name="taskIds"/> when too few replicas confirmed.</summary>
    public void ThrowIfShort(ReplicatedReplies replies, Func<IReadOnlyList<string>> taskIds)
    {
        if (replies.Acknowledged >= Replicas && replies.WaitFailure is null)
        {
            return;
        }

        var ids = taskIds();
        var what = ids.Count == 1 ? $"Task '{ids[0]}'" : $"{ids.Count} tasks (the first '{(ids.Count > 0 ? ids[0] : "")}')";
        var message = string.Format(
            CultureInfo.InvariantCulture,
            "{0} reached the Redis master but {1} of the {2} replica(s) required by RedisSchedulerOptions.WaitForReplicas confirmed it within {3} ms{4}. " +
            "It most likely exists and will run, but a failover now could lose it: check with GetTaskAsync before scheduling it again " +
            "(or schedule with ScheduleTaskOnceAsync, which does not duplicate), and check that the master's replicas are connected (INFO replication).",
            what,
            replies.Acknowledged,
            Replicas,
            (long)Timeout.TotalMilliseconds,
            replies.WaitFailure is null ? "" : " (the WAIT itself failed: " + replies.WaitFailure.Message + ")");
        throw new ReplicationTimeoutException(message, ids, Replicas, replies.Acknowledged, replies.WaitFailure);
    }

    /// <summary>The master of the type's slot, as the multiplexer knows it; a disconnected one is looked up again once.</summary>
    private static async Task<IServer> MasterAsync(IConnectionMultiplexer multiplexer, TaskTypeKeys keys)
    {
        for (var attempt = 0; ; attempt++)
        {
            IServer? server = null;
            try
            {
                server = multiplexer.GetServer(keys.Due, flags: CommandFlags.DemandMaster);
            }
            catch (InvalidOperationException)
            {
                // No master known for the slot (a failover is under way).
            }

            if (server is { IsConnected: true })
            {
                return server;
            }

            if (attempt > 0)
            {
                throw new RedisConnectionException(
                    ConnectionFailureType.UnableToConnect,
                    $"No connected Redis master is known for task type '{keys.TaskType}' (a failover may be under way); nothing was written. Try again shortly.");
            }

            await LearnMasterAsync(multiplexer, keys).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// StackExchange.Redis learns that a slot moved when a command it routed itself meets MOVED
    /// (or, under Sentinel, from the sentinels); commands sent to the node we name never teach it. So
    /// after such a failure, one routed read lets it find the slot's new master for the next call.
    /// </summary>
    private static async Task LearnMasterAsync(IConnectionMultiplexer multiplexer, TaskTypeKeys keys)
    {
        try
        {
            await multiplexer.GetDatabase().KeyExistsAsync(keys.Due, CommandFlags.DemandMaster).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // The caller reports its own failure.
        }
    }

    private static Task<RedisResult> Send(IServer server, SchedulerScript script, TaskTypeKeys keys, RedisValue[] args, bool fullText)
    {
        var all = keys.For(script);
        var command = new object[2 + all.Length + args.Length];
        command[0] = fullText ? script.Text : Convert.ToHexStringLower(script.Sha1);
        command[1] = all.Length;
        Array.Copy(all, 0, command, 2, all.Length);
        Array.Copy(args, 0, command, 2 + all.Length, args.Length);
        return server.ExecuteAsync(fullText ? "EVAL" : "EVALSHA", command, CommandFlags.NoRedirect);
    }
}
