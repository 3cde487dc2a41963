using System.Globalization;

namespace RedisScheduler.Tests.Infrastructure;

/// <summary>
/// A real Redis Cluster on loopback: three masters and (unless asked for none) three replicas, each a
/// <see cref="RedisServerProcess"/> with <c>--cluster-enabled yes</c>, joined by
/// <c>redis-cli --cluster create … --cluster-replicas 1</c>. Returns once every node reports
/// <c>cluster_state:ok</c> and knows all the others. Disposing it kills them all.
/// </summary>
public sealed class RedisCluster : IDisposable
{
    /// <summary>How long a node may be unreachable before its replica takes over: short, so the failover
    /// tests stay quick, yet long enough that a busy 2-core machine does not trigger one by accident.</summary>
    public const int NodeTimeoutMs = 2000;

    private static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(60);

    private RedisCluster(IReadOnlyList<RedisServerProcess> nodes) => Nodes = nodes;

    /// <summary>Gets the nodes (six, or three without replicas), in the order given to <c>--cluster create</c>: the first three start as masters.</summary>
    public IReadOnlyList<RedisServerProcess> Nodes { get; }

    /// <summary>Gets a StackExchange.Redis configuration naming every node; it discovers the slots itself.</summary>
    public string Configuration => string.Join(',', Nodes.Select(n => $"127.0.0.1:{n.Port}"));

    /// <summary>Starts three masters and three replicas.</summary>
    public static RedisCluster Start() => Start(withReplicas: true);

    /// <summary>Starts three masters, and three replicas unless <paramref name="withReplicas"/> is false.</summary>
    /// <param name="withReplicas">
    /// False for three masters alone: the load test's <c>--redis cluster-masters</c>, which tells what
    /// the cluster costs from what three replicas sharing the machine's cores cost.
    /// </param>
    public static RedisCluster Start(bool withReplicas)
    {
        var ports = LoopbackPorts.Find(withReplicas ? 6 : 3, alsoFreeAt: 10_000);
        var nodes = new List<RedisServerProcess>();
        try
        {
            foreach (var port in ports)
            {
                nodes.Add(RedisServerProcess.Start(new RedisServerSettings
                {
                    Port = port,
                    Arguments =
                    [
                        "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", NodeTimeoutMs.ToString(CultureInfo.InvariantCulture),
                        // A replica whose master died takes over at once, however far behind it was.
                        "--cluster-replica-validity-factor", "0",
                    ],
                }));
            }

            RedisCli.Run(ports[0], ["--cluster", "create", .. ports.Select(p => $"127.0.0.1:{p}"), "--cluster-replicas", withReplicas ? "1" : "0", "--cluster-yes"]);
            var cluster = new RedisCluster(nodes);
            cluster.WaitUntilFormed();
            return cluster;
        }
        catch
        {
            foreach (var node in nodes)
            {
                node.Dispose();
            }

            throw;
        }
    }

    /// <summary>Gets the node's answer to CLUSTER INFO or another command, from redis-cli.</summary>
    public static string Ask(RedisServerProcess node, params string[] command) => RedisCli.Run(node.Port, command);

    /// <summary>Waits until every running node says cluster_state:ok and sees every other node connected.</summary>
    public void WaitUntilFormed(TimeSpan? timeout = null)
    {
        var running = Nodes.Where(n => !n.Process.HasExited).ToList();
        foreach (var node in running)
        {
            RedisCli.WaitUntil(
                () => Ask(node, "CLUSTER", "INFO").Contains("cluster_state:ok", StringComparison.Ordinal)
                    && Ask(node, "CLUSTER", "NODES").Split('\n').Count(l => l.Contains(" connected", StringComparison.Ordinal)) >= running.Count,
                timeout ?? FormTimeout,
                () => $"the cluster node on port {node.Port} did not settle:{Environment.NewLine}{Ask(node, "CLUSTER", "INFO")}{Ask(node, "CLUSTER", "NODES")}");
        }
    }

    /// <summary>Gets the node that is master of <paramref name="slot"/> now (CLUSTER SHARDS would do as well; NODES is Redis 7.0's plainest).</summary>
    public RedisServerProcess MasterOf(int slot)
    {
        var live = Nodes.First(n => !n.Process.HasExited);
        foreach (var line in Ask(live, "CLUSTER", "NODES").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            if (!fields[2].Contains("master", StringComparison.Ordinal) || fields[2].Contains("fail", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var range in fields.Skip(8))
            {
                var bounds = range.Split('-');
                var first = int.Parse(bounds[0], CultureInfo.InvariantCulture);
                var last = bounds.Length > 1 ? int.Parse(bounds[1], CultureInfo.InvariantCulture) : first;
                if (slot >= first && slot <= last)
                {
                    var port = int.Parse(fields[1].Split('@')[0].Split(':')[1], CultureInfo.InvariantCulture);
                    return Nodes.Single(n => n.Port == port);
                }
            }
        }

        throw new InvalidOperationException($"No live master serves slot {slot}.");
    }

    /// <summary>Gets the cluster slot of <paramref name="key"/> (CLUSTER KEYSLOT, asked of the cluster itself).</summary>
    public int SlotOf(string key)
        => int.Parse(Ask(Nodes.First(n => !n.Process.HasExited), "CLUSTER", "KEYSLOT", key).Trim(), CultureInfo.InvariantCulture);

    public void Dispose()
    {
        foreach (var node in Nodes)
        {
            node.Dispose();
        }
    }
}
