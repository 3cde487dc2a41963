using NUnit.Framework;
using RedisScheduler.Tests.Infrastructure;
using StackExchange.Redis;

namespace RedisScheduler.Tests;

/// <summary>
/// The run's Redis Cluster and Sentinel set-up themselves (Infrastructure/RedisCluster.cs,
/// RedisSentinelSet.cs): what every other test on them takes for granted.
/// </summary>
public sealed class RedisTopologyTests
{
    [Test]
    public async Task Cluster_Started_HasThreeMastersEachWithAReplicaCoveringEverySlot()
    {
        var cluster = RedisServerFixture.Cluster;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(cluster.Configuration);

        var servers = connection.GetServers();
        Assert.That(servers.Count(s => !s.IsReplica), Is.EqualTo(3), "masters");
        Assert.That(servers.Count(s => s.IsReplica), Is.EqualTo(3), "replicas");
        Assert.That(servers.All(s => s.ServerType == ServerType.Cluster), Is.True);
        foreach (var node in cluster.Nodes)
        {
            Assert.That(RedisCluster.Ask(node, "CLUSTER", "INFO"), Does.Contain("cluster_slots_assigned:16384"));
        }
    }

    [Test]
    public async Task Sentinel_Started_ConnectsToTheMasterThroughTheSentinels()
    {
        var sentinel = RedisServerFixture.Sentinel;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(sentinel.Configuration);

        await connection.GetDatabase().StringSetAsync("topology-test", "written");

        // Either of the two, as FailoverTests may have run first.
        Assert.That(RedisSentinelSet.MasterPortSeenBy(sentinel.Sentinels[0]), Is.AnyOf(sentinel.Master.Port, sentinel.Replica.Port));
        Assert.That((string?)await connection.GetDatabase().StringGetAsync("topology-test"), Is.EqualTo("written"));
    }

    [Test]
    public void Cluster_TaskTypesOfTheContinuationTests_LiveOnThreeDifferentMasters()
    {
        // What makes ContinuationTests cross-shard on the cluster: parents of two types and the join of a
        // third, each on a master of its own (CLUSTER KEYSLOT of each type's key, then CLUSTER NODES).
        var cluster = RedisServerFixture.Cluster;
        var masters = TaskTypePlacement.MasterPortsOf(cluster, ["probe", "doubler", "join"]);

        Assert.That(masters.Values.Distinct().Count(), Is.EqualTo(3), string.Join(", ", masters.Select(m => $"{m.Key} on {m.Value}")));
    }

    [Test]
    public void Cluster_FourPartitionsOfOneType_SpreadOverEveryMaster()
    {
        // What partitioning is for: one type's partitions (PartitionTests' "probe" with 4) on several
        // masters. CLUSTER KEYSLOT of each partition's key, then CLUSTER NODES.
        var cluster = RedisServerFixture.Cluster;
        var masters = TaskTypePlacement.MasterPortsOf(cluster, "probe", 4);

        Assert.That(masters.Values.Distinct().Count(), Is.EqualTo(3), string.Join(", ", masters.Select(m => $"partition {m.Key} on {m.Value}")));
    }
}
