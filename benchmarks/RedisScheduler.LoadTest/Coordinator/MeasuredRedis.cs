using RedisScheduler.Tests.Infrastructure;
using RedisServerLauncher;

namespace RedisScheduler.LoadTest.Coordinator;

/// <summary>
/// The fresh private redis-server one measurement runs against, with the coordinator's own plain RESP
/// connection for INFO and SCRIPT LOAD: read without a client library, so that the coordinator adds no
/// traffic of its own between two snapshots. With <c>--redis cluster</c>, a fresh 3-master + 3-replica
/// Redis Cluster instead (<see cref="ClusterSnapshots"/>).
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

    /// <summary>Gets or sets what <see cref="Start"/> starts: "single" (one redis-server) or "cluster".</summary>
    public static string Topology { get; set; } = "single";

    /// <summary>The server's port; on a cluster, the first node's (for redis-benchmark, which then measures one master).</summary>
    public int Port => server?.Port ?? cluster!.Nodes[0].Port;

    /// <summary>The StackExchange.Redis configuration string the agents connect with.</summary>
    public string Configuration => server?.Configuration ?? cluster!.Configuration;

    /// <summary>Starts the server (or cluster) and returns once it answers.</summary>
    public static MeasuredRedis Start() => Topology == "cluster" ? new(null, RedisCluster.Start()) : new(RedisServerProcess.Start(), null);

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
