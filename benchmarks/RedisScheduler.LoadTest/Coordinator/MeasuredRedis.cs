using RedisScheduler.Tests.Infrastructure;
using RedisServerLauncher;

namespace RedisScheduler.LoadTest.Coordinator;

/// <summary>
/// The fresh private redis-server one measurement runs against, with the coordinator's own plain RESP
/// connection for INFO and SCRIPT LOAD: read without a client library, so that the coordinator adds no
/// traffic of its own between two snapshots. With <c>--redis cluster</c>, a fresh 3-master + 3-replica
/// Redis Cluster instead (<see cref="ClusterSnapshots"/>); with <c>--redis cluster-masters</c>, its three
/// masters alone (on a real deployment the replicas run on other machines, here on the same two cores).
/// </summary>
internal sealed class MeasuredRedis : IDisposable
{
    private readonly RedisServerProcess? server;
    private readonly RedisCluster? cluster;
    private readonly ClusterSnapshots? snapshots;
    private RespConnection? connection;

    private MeasuredRedis(RedisServerProcess? server, RedisCluster? cluster)
    {
        this.server = server;
        this.cluster = cluster;
        snapshots = cluster is null ? null : new ClusterSnapshots(cluster);
    }

    /// <summary>Gets or sets what <see cref="Start"/> starts: "single" (one redis-server), "cluster" or "cluster-masters".</summary>
    public static string Topology { get; set; } = "single";

    /// <summary>The cluster, with <c>--redis cluster</c>; null for one server.</summary>
    public RedisCluster? Cluster => cluster;

    /// <summary>The server's port; on a cluster, the first node's (for redis-benchmark, which then measures one master).</summary>
    public int Port => server?.Port ?? cluster!.Nodes[0].Port;

    /// <summary>The StackExchange.Redis configuration string the agents connect with.</summary>
    public string Configuration => server?.Configuration ?? cluster!.Configuration;

    /// <summary>Starts the server (or cluster) and returns once it answers.</summary>
    public static MeasuredRedis Start() => Topology == "single" ? new(RedisServerProcess.Start(), null) : new(null, StartCluster(withReplicas: Topology == "cluster"));

    /// <summary>
    /// Starts a cluster, again if a node could not bind its port: six ports and their bus ports are
    /// found free first and bound a moment later, and on a busy machine another process sometimes
    /// takes one meanwhile ("Address already in use"), which lost a whole measurement.
    /// </summary>
    private static RedisCluster StartCluster(bool withReplicas)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var cluster = RedisCluster.Start(withReplicas);
                WaitUntilReplicasSynced(cluster);
                return cluster;
            }
            catch (InvalidOperationException e) when (attempt < 3 && e.Message.Contains("Address already in use", StringComparison.Ordinal))
            {
                ConsoleProgress.Line("  A cluster node's port was taken before it bound it; starting the cluster again.");
            }
        }
    }

    /// <summary>
    /// Waits until every replica has its master's data and follows its replication stream
    /// (<c>master_link_status:up</c>). A freshly formed cluster's masters wait
    /// <c>repl-diskless-sync-delay</c> (5 s) before the first full sync, so a phase measured before it
    /// would see replicas that apply nothing and masters that feed no stream: not a running cluster.
    /// </summary>
    private static void WaitUntilReplicasSynced(RedisCluster cluster)
    {
        foreach (var node in cluster.Nodes)
        {
            RedisCli.WaitUntil(
                () => RedisCluster.Ask(node, "INFO", "replication") is var info && (info.Contains("role:master", StringComparison.Ordinal) || info.Contains("master_link_status:up", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(60),
                () => $"the replica on port {node.Port} did not sync with its master: {RedisCluster.Ask(node, "INFO", "replication")}");
        }
    }

    /// <summary>Sends one command over the coordinator's own connection and returns the reply as text.</summary>
    public string Call(params string[] command)
    {
        connection ??= new RespConnection(Port);
        return connection.Call(command);
    }

    /// <summary>Reads INFO (all sections) into a snapshot; on a cluster, the masters' counters summed.</summary>
    public RedisSnapshot Snapshot() => snapshots?.Take() ?? RedisSnapshot.Parse(Call("INFO", "all"));

    public void Dispose()
    {
        connection?.Dispose();
        snapshots?.Dispose();
        server?.Dispose();
        cluster?.Dispose();
    }
}
