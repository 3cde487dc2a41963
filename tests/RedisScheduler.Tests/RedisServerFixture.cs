using NUnit.Framework;

// In the root namespace of the tests: a SetUpFixture covers only the tests in its own namespace and below.
namespace RedisScheduler.Tests;

using RedisScheduler.Tests.Infrastructure;

/// <summary>Owns the redis-server shared by the whole run; tests isolate themselves by key prefix.</summary>
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
