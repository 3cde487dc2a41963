using NUnit.Framework;
using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Tests;

/// <summary>The client settings of the connections the library opens itself (<see cref="RedisClientConfiguration"/>).</summary>
public sealed class ClientConfigurationTests
{
    [Test]
    public void OwnedConnections_ReadRepliesOnTheThreadPool_AndReconnectEverySecond()
    {
        var options = RedisClientConfiguration.Create("127.0.0.1:6379");

        Assert.Multiple(() =>
        {
            Assert.That(options.SocketManager, Is.SameAs(SocketManager.ThreadPool));
            Assert.That(options.ReconnectRetryPolicy, Is.InstanceOf<LinearRetry>());
            Assert.That(options.AbortOnConnectFail, Is.False, "a service keeps retrying when Redis is not reachable at start");
        });
    }

    [Test]
    public void TheApplicationsOwnSettingsInTheConfigurationString_AreKept()
    {
        var options = RedisClientConfiguration.Create("127.0.0.1:6379,abortConnect=true,connectTimeout=1234,syncTimeout=4321");

        Assert.Multiple(() =>
        {
            Assert.That(options.AbortOnConnectFail, Is.True);
            Assert.That(options.ConnectTimeout, Is.EqualTo(1234));
            Assert.That(options.SyncTimeout, Is.EqualTo(4321));
        });
    }
}
