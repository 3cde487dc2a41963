using System.Globalization;

namespace RedisScheduler.LoadTest.Coordinator;

/// <summary>The counters of one <c>INFO all</c> that the load test turns into per-task costs.</summary>
internal sealed class RedisSnapshot
{
    private RedisSnapshot(Dictionary<string, string> fields, Dictionary<string, long> calls)
    {
        Fields = fields;
        Calls = calls;
    }

    /// <summary>INFO's <c>key:value</c> fields, all sections together.</summary>
    public Dictionary<string, string> Fields { get; }

    /// <summary>Calls per command from the commandstats section (<c>cmdstat_evalsha</c> → <c>evalsha</c>).</summary>
    public Dictionary<string, long> Calls { get; }

    public long UsedMemory => Long("used_memory");

    /// <summary>Read events on client sockets: how often Redis woke up to read a request (see benchmarks/README.md).</summary>
    public long Reads => Long("total_reads_processed");

    /// <summary>User + system CPU of the whole redis-server process, in seconds.</summary>
    public double CpuSeconds => Double("used_cpu_user") + Double("used_cpu_sys");

    public string Version => Fields.GetValueOrDefault("redis_version", "?");

    public static RedisSnapshot Parse(string info)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
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
                var callsField = value.Split(',')[0];
                calls[key["cmdstat_".Length..]] = long.Parse(callsField["calls=".Length..], CultureInfo.InvariantCulture);
            }
            else
            {
                fields[key] = value;
            }
        }

        return new RedisSnapshot(fields, calls);
    }

    private long Long(string key) => long.Parse(Fields[key], CultureInfo.InvariantCulture);

    private double Double(string key) => double.Parse(Fields[key], CultureInfo.InvariantCulture);
}
