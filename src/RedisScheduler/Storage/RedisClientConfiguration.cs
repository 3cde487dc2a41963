using StackExchange.Redis;

namespace RedisScheduler.Storage;

/// <summary>
/// The client settings of the connections the scheduler opens itself (from
/// <see cref="RedisSchedulerOptions.Configuration"/>). One place, so the load test's bare-client
/// ceiling rows use exactly what the library uses. A multiplexer the application supplies keeps its
/// own settings; docs/performance.md says which of these we recommend for it.
/// </summary>
internal static class RedisClientConfiguration
{
    /// <summary>Parses <paramref name="configuration"/> and applies the scheduler's client settings.</summary>
    public static ConfigurationOptions Create(string configuration)
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

        // Replies are read on the .NET thread pool instead of StackExchange.Redis's shared dedicated
        // socket threads. One awaited call at a time then costs about half the client CPU and twice
        // the calls per second (benchmarks/README.md, "W1 one call at a time"): the dedicated threads
        // hand each reply over to the pool anyway and spin while they wait. The price is that replies
        // are read by pool threads: an application that starves the pool (sync-over-async) delays
        // them; what that does, and the setting for such an application, is in docs/performance.md.
        options.SocketManager = SocketManager.ThreadPool;
        return options;
    }
}
