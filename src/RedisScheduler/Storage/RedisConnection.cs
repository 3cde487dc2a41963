using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace RedisScheduler.Storage;

/// <summary>
/// The scheduler's one multiplexed Redis connection, opened on first use. A connection supplied by
/// <see cref="RedisSchedulerOptions.ConnectionMultiplexerFactory"/> belongs to the application and is
/// never disposed here. Either way its topology events are followed (<see cref="Topology"/>) from the
/// first connect until this is disposed.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable, IDisposable
{
    private readonly Func<Task<IConnectionMultiplexer>> connect;
    private readonly bool owned;
    private readonly object gate = new();
    private Task<IConnectionMultiplexer>? connecting;
    private IDatabase? database;

    public RedisConnection(IOptions<RedisSchedulerOptions> options)
    {
        var value = options.Value;
        owned = value.ConnectionMultiplexerFactory is null;
        connect = value.ConnectionMultiplexerFactory ?? (() => ConnectAsync(value.Configuration!));
        Replicas = new ReplicaWait(value);
    }

    /// <summary>Gets the wait for replicas after a write (<see cref="RedisSchedulerOptions.WaitForReplicas"/>).</summary>
    public ReplicaWait Replicas { get; }

    /// <summary>Gets what ends the retry loops' back-offs early: the client learnt of a topology change.</summary>
    public TopologyChanges Topology { get; } = new();

    public async Task<IConnectionMultiplexer> GetMultiplexerAsync(CancellationToken cancellationToken)
        => await Connecting().WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The database, without an allocation or a lock once connected: every scheduling call starts
    /// here, and one awaited call at a time is the path whose client cost decides its rate.
    /// </summary>
    public ValueTask<IDatabase> GetDatabaseAsync(CancellationToken cancellationToken)
        => Volatile.Read(ref database) is { } connected ? new(connected) : new(ConnectDatabaseAsync(cancellationToken));

    /// <summary>For the synchronous API only: blocks on the first connect, then never again.</summary>
    public IDatabase GetDatabase()
        => Volatile.Read(ref database) ?? Remember(Connecting().GetAwaiter().GetResult().GetDatabase());

    private IDatabase Remember(IDatabase connected)
    {
        Volatile.Write(ref database, connected);
        return connected;
    }

    private async Task<IDatabase> ConnectDatabaseAsync(CancellationToken cancellationToken)
        => Remember((await GetMultiplexerAsync(cancellationToken).ConfigureAwait(false)).GetDatabase());

    public async ValueTask DisposeAsync()
    {
        Topology.Dispose();
        if (OwnedConnection() is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        Topology.Dispose();
        OwnedConnection()?.Dispose();
    }

    private static async Task<IConnectionMultiplexer> ConnectAsync(string configuration)
        => await ConnectionMultiplexer.ConnectAsync(RedisClientConfiguration.Create(configuration)).ConfigureAwait(false);

    private IConnectionMultiplexer? OwnedConnection()
    {
        lock (gate)
        {
            return owned && connecting is { IsCompletedSuccessfully: true } ? connecting.Result : null;
        }
    }

    private Task<IConnectionMultiplexer> Connecting()
    {
        lock (gate)
        {
            // A failed first connect is not cached: the next call tries again.
            if (connecting is null || connecting.IsFaulted || connecting.IsCanceled)
            {
                connecting = ConnectAndWatchAsync();
            }

            return connecting;
        }
    }

    private async Task<IConnectionMultiplexer> ConnectAndWatchAsync()
    {
        var multiplexer = await connect().ConfigureAwait(false);
        Topology.Watch(multiplexer);
        return multiplexer;
    }
}
