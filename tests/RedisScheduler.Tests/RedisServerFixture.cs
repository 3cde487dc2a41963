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
    /// <summary>A few blocked threads per Sentinel client on a failover (the timer's, PLINQ's), four clients at once here, and room to spare.</summary>
    private const int SentinelClientPoolMinimum = 32;

    private static readonly Lazy<RedisCluster> LazyCluster = new(RedisCluster.Start);
    private static readonly Lazy<RedisSentinelSet> LazySentinel = new(StartSentinel);
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

    /// <summary>
    /// Starts the Sentinel set-up, and first raises the thread pool's minimum as docs/scaling.md
    /// ("Setting up Sentinel") tells Sentinel users to: on a lost connection
    /// StackExchange.Redis's Sentinel support blocks pool threads on synchronous calls whose replies need
    /// pool threads too, and with the pool at its default minimum (one per core) the workers here
    /// resumed 3.3-4.3 s after a kill under load instead of 1.3-1.4 s.
    /// </summary>
    private static RedisSentinelSet StartSentinel()
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, SentinelClientPoolMinimum), completionPorts);
        return RedisSentinelSet.Start();
    }
}
