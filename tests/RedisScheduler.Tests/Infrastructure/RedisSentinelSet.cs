using System.Globalization;

namespace RedisScheduler.Tests.Infrastructure;

/// <summary>
/// A real Sentinel set-up on loopback: one master, one replica (<c>--replicaof</c>) and three
/// <c>redis-server --sentinel</c> processes, each with a configuration file of its own that it rewrites
/// as it learns the topology. Returns once every sentinel sees the master, its replica and the two other
/// sentinels. Disposing it kills all five.
/// </summary>
public sealed class RedisSentinelSet : IDisposable
{
    public const string ServiceName = "scheduler";

    /// <summary>How long the master may be silent before a sentinel thinks it down; a quorum of two then fails over.</summary>
    public const int DownAfterMs = 1000;

    private static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(60);

    private RedisSentinelSet(RedisServerProcess master, RedisServerProcess replica, IReadOnlyList<RedisServerProcess> sentinels)
    {
        Master = master;
        Replica = replica;
        Sentinels = sentinels;
    }

    /// <summary>Gets the server that started as master.</summary>
    public RedisServerProcess Master { get; }

    /// <summary>Gets the server that started as its replica.</summary>
    public RedisServerProcess Replica { get; }

    public IReadOnlyList<RedisServerProcess> Sentinels { get; }

    /// <summary>Gets a StackExchange.Redis configuration that finds the master through the sentinels.</summary>
    public string Configuration => string.Join(',', Sentinels.Select(s => $"127.0.0.1:{s.Port}")) + $",serviceName={ServiceName}";

    public static RedisSentinelSet Start()
    {
        var started = new List<RedisServerProcess>();
        try
        {
            var master = Started(started, RedisServerProcess.Start());
            var replica = Started(started, RedisServerProcess.Start("--replicaof", "127.0.0.1", master.Port.ToString(CultureInfo.InvariantCulture)));
            var sentinels = new List<RedisServerProcess>();
            foreach (var port in LoopbackPorts.Find(3))
            {
                sentinels.Add(Started(started, RedisServerProcess.Start(new RedisServerSettings
                {
                    Port = port,
                    Arguments = ["--sentinel"],
                    ConfigurationFile =
                        $"sentinel monitor {ServiceName} 127.0.0.1 {master.Port} 2\n" +
                        $"sentinel down-after-milliseconds {ServiceName} {DownAfterMs}\n" +
                        $"sentinel failover-timeout {ServiceName} 10000\n" +
                        $"sentinel parallel-syncs {ServiceName} 1\n",
                })));
            }

            var set = new RedisSentinelSet(master, replica, sentinels);
            set.WaitUntilFormed();
            return set;
        }
        catch
        {
            foreach (var server in started)
            {
                server.Dispose();
            }

            throw;
        }
    }

    /// <summary>Gets the port of the master as <paramref name="sentinel"/> sees it now.</summary>
    public static int MasterPortSeenBy(RedisServerProcess sentinel)
        => int.Parse(RedisCli.Run(sentinel.Port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", ServiceName).Split('\n')[1].Trim(), CultureInfo.InvariantCulture);

    /// <summary>Waits until every running sentinel knows the master, one replica and the other sentinels.</summary>
    public void WaitUntilFormed(TimeSpan? timeout = null)
    {
        foreach (var sentinel in Sentinels.Where(s => !s.Process.HasExited))
        {
            RedisCli.WaitUntil(
                () =>
                {
                    var fields = Fields(RedisCli.Run(sentinel.Port, "SENTINEL", "MASTER", ServiceName));
                    return fields["flags"] == "master" && fields["num-slaves"] == "1" && fields["num-other-sentinels"] == "2";
                },
                timeout ?? FormTimeout,
                () => $"the sentinel on port {sentinel.Port} did not see the whole set-up:{Environment.NewLine}{RedisCli.Run(sentinel.Port, "SENTINEL", "MASTER", ServiceName)}");
        }
    }

    public void Dispose()
    {
        foreach (var server in Sentinels.Append(Replica).Append(Master))
        {
            server.Dispose();
        }
    }

    private static RedisServerProcess Started(List<RedisServerProcess> started, RedisServerProcess server)
    {
        started.Add(server);
        return server;
    }

    /// <summary>redis-cli prints a reply of name/value pairs one per line.</summary>
    private static Dictionary<string, string> Fields(string reply)
    {
        var lines = reply.Split('\n').Select(l => l.Trim()).ToArray();
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < lines.Length; i += 2)
        {
            fields[lines[i]] = lines[i + 1];
        }

        return fields;
    }
}
