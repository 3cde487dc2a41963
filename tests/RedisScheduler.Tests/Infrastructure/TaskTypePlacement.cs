using RedisScheduler.Storage;

namespace RedisScheduler.Tests.Infrastructure;

/// <summary>
/// Which master of a <see cref="RedisCluster"/> holds a task type (or one partition of it) now: the
/// slot of the type's keys (CLUSTER KEYSLOT of its <c>due</c> key, asked of the cluster), then that
/// slot's master (CLUSTER NODES). What the tests check their types against, and what the load test's
/// cluster mode checks its types and partitions against before it measures.
/// </summary>
public static class TaskTypePlacement
{
    /// <summary>Gets the port of the master serving <paramref name="partition"/> of <paramref name="taskType"/>.</summary>
    public static int MasterPortOf(RedisCluster cluster, string taskType, int partition = 0)
        // The hash tag alone decides the slot, so any prefix gives the same answer.
        => cluster.MasterOf(cluster.SlotOf(new TaskTypeKeys("placement", taskType, partition).Due.ToString())).Port;

    /// <summary>Gets the master port of each of <paramref name="taskTypes"/> (partition 0).</summary>
    public static Dictionary<string, int> MasterPortsOf(RedisCluster cluster, IEnumerable<string> taskTypes)
        => taskTypes.ToDictionary(type => type, type => MasterPortOf(cluster, type));

    /// <summary>Gets the master port of each of the first <paramref name="partitions"/> partitions of <paramref name="taskType"/>.</summary>
    public static Dictionary<int, int> MasterPortsOf(RedisCluster cluster, string taskType, int partitions)
        => Enumerable.Range(0, partitions).ToDictionary(p => p, p => MasterPortOf(cluster, taskType, p));
}
