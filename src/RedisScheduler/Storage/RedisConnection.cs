using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace RedisScheduler.Storage;

/// <summary>
/// The scheduler's one multiplexed Redis connection, opened on first use. A connection supplied by
/// <see cref="RedisSchedulerOptions.ConnectionMultiplexerFactory"/> belongs to the application and is
/// never disposed here.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable, IDisposable
{
    private readonly Func<Task<IConnectionMultiplexer>> connect;
    private readonly bool owned;
    private readonly object gate = new();
    private Task<IConnectionMultiplexer>? connecting;

    public RedisConnection(IOptions<RedisSchedulerOptions> options)
    {
        var value = options.Value;
        owned = value.ConnectionMultiplexerFactory is null;
        connect = value.ConnectionMultiplexerFactory ?? (() => ConnectAsync(value.Configuration!));
        Replicas = new ReplicaWait(value);
    }

    /// <summary>Gets the wait for replicas after a write (<see cref="RedisSchedulerOptions.WaitForReplicas"/>).</summary>
    public ReplicaWait Replicas { get; }

    public async Task<IConnectionMultiplexer> GetMultiplexerAsync(CancellationToken cancellationToken)
        => await Connecting().WaitAsync(cancellationToken).ConfigureAwait(false);

    public async Task<IDatabase> GetDatabaseAsync(CancellationToken cancellationToken)
        => (await GetMultiplexerAsync(cancellationToken).ConfigureAwait(false)).GetDatabase();

    /// <summary>For the synchronous API only: blocks on the first connect, then never again.</summary>
    public IDatabase GetDatabase() => Connecting().GetAwaiter().GetResult().GetDatabase();

    public async ValueTask DisposeAsync()
    {
        if (OwnedConnection() is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose() => OwnedConnection()?.Dispose();

    private static async Task<IConnectionMultiplexer> ConnectAsync(string configuration)
    {
        var options = ConfigurationOptions.Parse(configuration);
        // Unless the application chose otherwise, keep retrying in the background when Redis is not
        // reachable at start (the StackExchange.Redis recommendation for services): workers back off
        // and resume instead of failing for good.
        if (!configuration.Split(',').Any(part => part.Trim().StartsWith("abortConnect=", StringComparison.OrdinalIgnoreCase)))
        {
            options.AbortOnConnectFail = false;
        }

        // Reconnect attempts once a second instead of StackExchange.Redis's exponential default, whose
        // waits grow to several seconds after a first attempt that found Redis still starting: a worker
        // whose acknowledgements wait for the connection must be back well within a lease, and a
        // failover should cost its own time plus about a second, not a growing backoff.
        options.ReconnectRetryPolicy = new LinearRetry(1_000);
        return await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
    }

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
                connecting = connect();
            }

            return connecting;
        }
    }
}
