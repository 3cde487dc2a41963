using System.Globalization;

namespace RedisScheduler.LoadTest.Coordinator;

/// <summary>The counters of one <c>INFO all</c> that the load test turns into per-task costs.</summary>
internal sealed class RedisSnapshot
{
    private RedisSnapshot(Dictionary<string, string> fields, Dictionary<string, long> calls, Dictionary<string, long> microseconds)
    {
        Fields = fields;
        Calls = calls;
        Microseconds = microseconds;
    }

    /// <summary>INFO's <c>key:value</c> fields, all sections together.</summary>
    public Dictionary<string, string> Fields { get; }

    /// <summary>Calls per command from the commandstats section (<c>cmdstat_evalsha</c> → <c>evalsha</c>).</summary>
    public Dictionary<string, long> Calls { get; }

    /// <summary>Time Redis spent in each command (commandstats <c>usec</c>); a script's includes the commands it ran.</summary>
    public Dictionary<string, long> Microseconds { get; }

    public long UsedMemory => Long("used_memory");

    /// <summary>Read events on client sockets: how often Redis woke up to read a request (see benchmarks/README.md).</summary>
    public long Reads => Long("total_reads_processed");

    /// <summary>User + system CPU of the whole redis-server process, in seconds.</summary>
    public double CpuSeconds => Double("used_cpu_user") + Double("used_cpu_sys");

    public string Version => Fields.GetValueOrDefault("redis_version", "?");

    /// <summary>On a cluster, every node's own counters, masters and replicas (<see cref="ClusterSnapshots"/>); empty for one server.</summary>
    public IReadOnlyList<NodeCounters> Nodes { get; set; } = [];

    public static RedisSnapshot Parse(string info)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        var microseconds = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in info.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var key = line[..colon];
            var value = line[(colon + 1)..];
            if (key.StartsWith("cmdstat_", StringComparison.Ordinal))
            {
                // cmdstat_evalsha:calls=123,usec=...
                var stats = value.Split(',');
                var command = key["cmdstat_".Length..];
                calls[command] = long.Parse(stats[0]["calls=".Length..], CultureInfo.InvariantCulture);
                microseconds[command] = long.Parse(stats[1]["usec=".Length..], CultureInfo.InvariantCulture);
            }
            else
            {
                fields[key] = value;
            }
        }

        return new RedisSnapshot(fields, calls, microseconds);
    }

    private long Long(string key) => long.Parse(Fields[key], CultureInfo.InvariantCulture);

    private double Double(string key) => double.Parse(Fields[key], CultureInfo.InvariantCulture);
}

/// <summary>One cluster node's CPU (user + system, seconds) and commands executed (commandstats, without INFO) at a snapshot.</summary>
/// <param name="Number">1 to 6, the order given to <c>--cluster create</c>: nodes 1-3 start as the masters of slots 0-5460, 5461-10922 and 10923-16383, nodes 4-6 as replicas; the same in every fresh cluster, unlike the ports.</param>
internal sealed record NodeCounters(int Number, int Port, string Role, double CpuSeconds, long Commands);
