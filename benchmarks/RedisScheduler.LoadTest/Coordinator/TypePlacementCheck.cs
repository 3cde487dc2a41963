using System.Globalization;
using RedisScheduler.LoadTest.Systems;
using RedisScheduler.Tests.Infrastructure;

namespace RedisScheduler.LoadTest.Coordinator;

/// <summary>
/// Which task types (and partitions) the RedisScheduler agents will use, and, on a cluster, which
/// master holds each (the tests' <see cref="TaskTypePlacement"/>): the run's description says it, and
/// a warning says so when types or partitions that should spread share a master.
/// </summary>
internal static class TypePlacementCheck
{
    public static string Describe(MeasuredRedis redis, IEnumerable<string> agentSettings, List<string> warnings)
    {
        var settings = LoadTaskTypes.FromSettings(agentSettings);
        var types = LoadTaskTypes.Names.Take(LoadTaskTypes.Types(settings)).ToList();
        var partitions = LoadTaskTypes.Partitions(settings);
        var text = $"{string.Join(", ", types)}, {partitions} partition{(partitions == 1 ? string.Empty : "s")} each";
        if (redis.Cluster is not { } cluster)
        {
            return text;
        }

        // By node number (NodeCounters.Number), as the per-node report names them: ports change from one fresh cluster to the next.
        string Node(int port) => string.Create(CultureInfo.InvariantCulture, $"node {cluster.Nodes.Select(n => n.Port).ToList().IndexOf(port) + 1}");
        var typeMasters = TaskTypePlacement.MasterPortsOf(cluster, types);
        var partitionMasters = TaskTypePlacement.MasterPortsOf(cluster, types[0], partitions);
        text += "; masters: " + string.Join(", ", typeMasters.Select(t => $"{t.Key} on {Node(t.Value)}"));
        if (partitions > 1)
        {
            text += "; partitions of " + types[0] + ": " + string.Join(", ", partitionMasters.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} on {Node(p.Value)}")));
        }

        var masters = cluster.Nodes.Take(3).Count();
        if (typeMasters.Values.Distinct().Count() < Math.Min(types.Count, masters) || partitionMasters.Values.Distinct().Count() < Math.Min(partitions, masters))
        {
            warnings.Add($"The task types or partitions do not spread over the masters as LoadTaskTypes expects ({text}): the cluster's slots were assigned differently.");
        }

        return text;
    }
}
