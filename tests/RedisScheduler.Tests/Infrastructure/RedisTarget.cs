namespace RedisScheduler.Tests.Infrastructure;

/// <summary>
/// What a behaviour test runs against: the run's one redis-server ("single") or its Redis Cluster
/// ("cluster"); the failover tests also use its Sentinel set-up ("sentinel"). Test classes that must hold on both take the name from
/// <c>[TestFixtureSource(typeof(RedisTarget), nameof(RedisTarget.Names))]</c> and pass it to
/// <see cref="TestScope"/>; NUnit then runs the class once per target.
/// </summary>
public sealed class RedisTarget
{
    public const string SingleName = "single";
    public const string ClusterName = "cluster";
    public const string SentinelName = "sentinel";

    /// <summary>Both targets, for <c>[TestFixtureSource]</c>.</summary>
    public static readonly string[] Names = [SingleName, ClusterName];

    private RedisTarget(string name, string configuration, RedisServerProcess? server)
    {
        Name = name;
        Configuration = configuration;
        Server = server;
    }

    public string Name { get; }

    /// <summary>Gets the StackExchange.Redis configuration string.</summary>
    public string Configuration { get; }

    /// <summary>Gets the server of a "single" target, or null for a cluster or a Sentinel set-up.</summary>
    public RedisServerProcess? Server { get; }

    public bool IsCluster => Name == ClusterName;

    public static RedisTarget Of(RedisServerProcess server) => new(SingleName, server.Configuration, server);

    /// <summary>The run's shared server or its cluster, started on first use (see <see cref="RedisServerFixture"/>).</summary>
    public static RedisTarget Get(string name) => name switch
    {
        SingleName => Of(RedisServerFixture.Server),
        ClusterName => new(ClusterName, RedisServerFixture.Cluster.Configuration, null),
        SentinelName => new(SentinelName, RedisServerFixture.Sentinel.Configuration, null),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, $"Use '{SingleName}' or '{ClusterName}'."),
    };

    public override string ToString() => Name;
}
