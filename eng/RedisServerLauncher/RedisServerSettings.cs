namespace RedisServerLauncher;

/// <summary>
/// How to start a <see cref="RedisServerProcess"/>. The defaults give a throwaway server: a free port on
/// 127.0.0.1, nothing persisted, a temporary working directory of its own.
/// </summary>
public sealed class RedisServerSettings
{
    /// <summary>Gets the port to listen on, on 127.0.0.1.</summary>
    /// <value>0 (the default): a free port chosen at start. Set it when several servers must know each
    /// other's ports before they start (replicas, Sentinel, Cluster).</value>
    public int Port { get; init; }

    /// <summary>Gets the arguments passed after the launcher's own, in redis-server's <c>--name value</c> form.</summary>
    /// <value>None by default. redis-server applies the last value of a setting, so these override the
    /// launcher's defaults (<c>--appendonly yes</c> turns persistence on). Each word is one argument:
    /// <c>["--user", "app", "on", "&gt;pw"]</c>.</value>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Gets the text of a configuration file for the server.</summary>
    /// <value><see langword="null"/> (the default): no file. When set, it is written to <c>redis.conf</c> in
    /// the server's working directory and passed as the first argument, as redis-server requires. Sentinel
    /// (<c>--sentinel</c> in <see cref="Arguments"/>) needs such a file, and rewrites it as it learns the
    /// topology; that is why it lives in the working directory, not in the repository.</value>
    public string? ConfigurationFile { get; init; }

    /// <summary>Gets how long to wait for the server to answer after it starts.</summary>
    /// <value>15 seconds by default: enough for a loaded 2-core machine, and for a restart that reads back
    /// an append-only file.</value>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(15);
}
