using System.Globalization;
using System.Text;
using RedisScheduler.Tests.Infrastructure;

namespace RedisScheduler.LoadTest.Coordinator;

/// <summary>
/// INFO of every node of a <c>--redis cluster</c> measurement. A snapshot sums the masters' counters
/// (CPU, commands, memory, reads), so the per-task figures read as one server's do; replicas' work
/// (applying the replication stream) is not in them. Each snapshot also prints every node's CPU since
/// the previous one, masters and replicas, so a phase shows how the load spread over the nodes, and
/// keeps every node's own counters (<see cref="RedisSnapshot.Nodes"/>) for the per-node figures.
/// </summary>
internal sealed class ClusterSnapshots(RedisCluster cluster) : IDisposable
{
    private readonly Dictionary<int, RespConnection> connections = [];
    private Dictionary<int, double>? previousCpu;

    public RedisSnapshot Take()
    {
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        var commands = new Dictionary<string, (long Calls, long Microseconds)>(StringComparer.Ordinal);
        var cpu = new Dictionary<int, double>();
        var roles = new Dictionary<int, string>();
        var nodes = new List<NodeCounters>();
        string? version = null;
        foreach (var node in cluster.Nodes)
        {
            if (!connections.TryGetValue(node.Port, out var connection))
            {
                connections[node.Port] = connection = new RespConnection(node.Port);
            }

            var info = RedisSnapshot.Parse(connection.Call("INFO", "all"));
            cpu[node.Port] = info.CpuSeconds;
            roles[node.Port] = info.Fields.GetValueOrDefault("role", "?");
            version ??= info.Version;
            nodes.Add(new NodeCounters(nodes.Count + 1, node.Port, roles[node.Port], info.CpuSeconds, info.Calls.Where(c => c.Key != "info").Sum(c => c.Value)));
            if (roles[node.Port] != "master")
            {
                continue;
            }

            foreach (var (key, value) in info.Fields)
            {
                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    sums[key] = sums.GetValueOrDefault(key) + number;
                }
            }

            foreach (var (command, calls) in info.Calls)
            {
                var (c, us) = commands.GetValueOrDefault(command);
                commands[command] = (c + calls, us + info.Microseconds[command]);
            }
        }

        if (previousCpu is not null)
        {
            ConsoleProgress.Line("  Redis CPU per node since the last snapshot: " + string.Join(", ", cpu.Select(c =>
                string.Create(CultureInfo.InvariantCulture, $"{c.Key} ({roles[c.Key]}) {c.Value - previousCpu.GetValueOrDefault(c.Key):0.00} s"))));
        }

        previousCpu = cpu;
        // Back into INFO's text, so RedisSnapshot reads the sums as it reads one server.
        var text = new StringBuilder();
        text.Append("redis_version:").Append(version).Append('\n');
        foreach (var (key, value) in sums)
        {
            text.Append(key).Append(':').Append(IsWhole(key) ? ((long)value).ToString(CultureInfo.InvariantCulture) : value.ToString("0.000000", CultureInfo.InvariantCulture)).Append('\n');
        }

        foreach (var (command, (calls, microseconds)) in commands)
        {
            text.Append(CultureInfo.InvariantCulture, $"cmdstat_{command}:calls={calls},usec={microseconds}\n");
        }

        var snapshot = RedisSnapshot.Parse(text.ToString());
        snapshot.Nodes = nodes;
        return snapshot;
    }

    public void Dispose()
    {
        foreach (var connection in connections.Values)
        {
            connection.Dispose();
        }
    }

    private static bool IsWhole(string key) => !key.StartsWith("used_cpu", StringComparison.Ordinal) && !key.Contains("ratio", StringComparison.Ordinal) && !key.Contains("_perc", StringComparison.Ordinal);
}
