using NUnit.Framework;

namespace RedisScheduler.Dashboard.Tests;

/// <summary>Owns the redis-server shared by the whole run; each test's app has a key prefix of its own.</summary>
[SetUpFixture]
public sealed class RedisServerFixture
{
    private static RedisServerProcess? server;

    public static RedisServerProcess Server => server ?? throw new InvalidOperationException("The Redis fixture has not started.");

    [OneTimeSetUp]
    public void StartRedis() => server = RedisServerProcess.Start();

    [OneTimeTearDown]
    public void StopRedis() => server?.Dispose();
}
