using NUnit.Framework;

// In the root namespace of the tests: a SetUpFixture covers only the tests in its own namespace and below.
namespace RedisScheduler.Tests;

using RedisScheduler.Tests.Infrastructure;

/// <summary>
/// Owns the Redis servers shared by the whole run; tests isolate themselves by key prefix. The
/// redis-server starts with the run; the Redis Cluster (six processes) and the Sentinel set-up (five)
/// start when a test first asks for them, so a filtered run that needs neither does not pay for them,
/// and are stopped with the run.
/// </summary>
[SetUpFixture]
public sealed class RedisServerFixture
{
    private static readonly Lazy<RedisCluster> LazyCluster = new(RedisCluster.Start);
    private static readonly Lazy<RedisSentinelSet> LazySentinel = new(RedisSentinelSet.Start);
    private static RedisServerProcess? server;

    public static RedisServerProcess Server => server ?? throw new InvalidOperationException("The Redis fixture has not started.");

    /// <summary>Gets the run's 3-master, 3-replica Redis Cluster, started on first use.</summary>
    public static RedisCluster Cluster => LazyCluster.Value;

    /// <summary>Gets the run's Sentinel set-up (master, replica, three sentinels), started on first use.</summary>
    public static RedisSentinelSet Sentinel => LazySentinel.Value;

    [OneTimeSetUp]
    public void StartRedis() => server = RedisServerProcess.Start();

    [OneTimeTearDown]
    public void StopRedis()
    {
        server?.Dispose();
        if (LazyCluster.IsValueCreated)
        {
            LazyCluster.Value.Dispose();
        }

        if (LazySentinel.IsValueCreated)
        {
            LazySentinel.Value.Dispose();
        }
    }
}
