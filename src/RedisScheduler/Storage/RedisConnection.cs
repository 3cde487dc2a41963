using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace RedisScheduler.Storage;

/// <summary>
/// The scheduler's one multiplexed Redis connection, opened on first use. A connection supplied by
/// <see cref="RedisSchedulerOptions.ConnectionMultiplexerFactory"/> belongs to the application and is
/// never disposed here.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable
{
    private readonly Lazy<Task<IConnectionMultiplexer>> connection;
    private readonly bool owned;

    public RedisConnection(IOptions<RedisSchedulerOptions> options)
    {
        var value = options.Value;
        owned = value.ConnectionMultiplexerFactory is null;
        var factory = value.ConnectionMultiplexerFactory
            ?? (async () => await ConnectionMultiplexer.ConnectAsync(value.Configuration!).ConfigureAwait(false));
        connection = new Lazy<Task<IConnectionMultiplexer>>(factory, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public async Task<IConnectionMultiplexer> GetMultiplexerAsync(CancellationToken cancellationToken)
        => await connection.Value.WaitAsync(cancellationToken).ConfigureAwait(false);

    public async Task<IDatabase> GetDatabaseAsync(CancellationToken cancellationToken)
        => (await GetMultiplexerAsync(cancellationToken).ConfigureAwait(false)).GetDatabase();

    /// <summary>For the synchronous API only: blocks on the first connect, then never again.</summary>
    public IDatabase GetDatabase() => connection.Value.GetAwaiter().GetResult().GetDatabase();

    public async ValueTask DisposeAsync()
    {
        if (owned && connection.IsValueCreated && connection.Value.IsCompletedSuccessfully)
        {
            await connection.Value.Result.DisposeAsync().ConfigureAwait(false);
        }
    }
}
