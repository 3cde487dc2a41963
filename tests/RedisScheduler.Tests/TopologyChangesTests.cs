using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using RedisScheduler.Storage;
using RedisScheduler.Tests.Infrastructure;
using StackExchange.Redis;

namespace RedisScheduler.Tests;

/// <summary>
/// What ends the retry loops' back-offs early (<see cref="TopologyChanges"/>). The failover itself is in FailoverTests.
/// </summary>
public sealed class TopologyChangesTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Test]
    public async Task DelayAsync_ChangeDuringTheWait_EndsItEarly()
    {
        using var changes = new TopologyChanges();
        var time = new FakeTimeProvider();
        var seen = changes.Generation;

        var wait = changes.DelayAsync(TimeSpan.FromSeconds(1), seen, time, CancellationToken.None);
        Assert.That(wait.IsCompleted, Is.False, "no change yet, and the fake clock stands still");
        changes.Signal();

        Assert.That(await wait.WaitAsync(Patience), Is.True, "cut short");
    }

    [Test]
    public async Task DelayAsync_ChangeBetweenTheFailureAndTheWait_IsNotLost()
    {
        using var changes = new TopologyChanges();
        var time = new FakeTimeProvider();
        var seen = changes.Generation;
        changes.Signal();

        Assert.That(await changes.DelayAsync(TimeSpan.FromSeconds(1), seen, time, CancellationToken.None).WaitAsync(Patience), Is.True);
    }

    [Test]
    public async Task DelayAsync_ChangeAlreadyActedOn_WaitsTheWholeDelay()
    {
        using var changes = new TopologyChanges();
        var time = new FakeTimeProvider();
        changes.Signal();
        // The loop retried after that change and failed again: the same change must not end a second wait.
        var seen = changes.Generation;

        var wait = changes.DelayAsync(TimeSpan.FromSeconds(1), seen, time, CancellationToken.None);
        Assert.That(wait.IsCompleted, Is.False, "no busy loop");
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.That(await wait.WaitAsync(Patience), Is.False, "the delay ran out");
    }

    [Test]
    public void DelayAsync_Cancelled_Throws()
    {
        using var changes = new TopologyChanges();
        using var stop = new CancellationTokenSource();
        var wait = changes.DelayAsync(TimeSpan.FromSeconds(30), changes.Generation, new FakeTimeProvider(), stop.Token);

        stop.Cancel();

        Assert.That(async () => await wait.WaitAsync(Patience), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task RedisConnection_ApplicationsMultiplexer_FollowedUntilDisposed()
    {
        await using var scope = new TestScope();
        var options = new RedisSchedulerOptions { KeyPrefix = scope.Prefix, ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(scope.Connection) };
        var connection = new RedisConnection(Microsoft.Extensions.Options.Options.Create(options));
        await connection.GetMultiplexerAsync(CancellationToken.None);
        // Another client asks every multiplexer on the server to reconfigure: the application's hears the
        // broadcast (ConfigurationChangedBroadcast). Handlers run in the order they were added, so once
        // the test's own has seen it, the connection's has too.
        await using var other = await ConnectionMultiplexer.ConnectAsync(scope.Configuration + ",allowAdmin=true");
        var broadcast = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        scope.Connection.ConfigurationChangedBroadcast += (_, _) => broadcast.TrySetResult();
        var before = connection.Topology.Generation;

        await other.PublishReconfigureAsync();
        await broadcast.Task.WaitAsync(Patience);
        Assert.That(connection.Topology.Generation, Is.GreaterThan(before), "the broadcast was seen as a change");

        await connection.DisposeAsync();
        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        scope.Connection.ConfigurationChangedBroadcast += (_, _) => heard.TrySetResult();
        var disposedAt = connection.Topology.Generation;
        await other.PublishReconfigureAsync();
        await heard.Task.WaitAsync(Patience);

        Assert.That(connection.Topology.Generation, Is.EqualTo(disposedAt), "no longer followed once disposed");
        Assert.That(scope.Connection.IsConnected, Is.True, "the application's multiplexer is not disposed");
    }
}
