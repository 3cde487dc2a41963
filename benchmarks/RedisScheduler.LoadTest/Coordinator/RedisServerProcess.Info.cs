using RedisScheduler.LoadTest.Coordinator;

namespace RedisScheduler.Benchmarking;

/// <summary>
/// The load test's part of <see cref="RedisServerProcess"/> (benchmarks/Shared): a plain RESP
/// connection for INFO, which the coordinator reads without a client library so that it adds no
/// traffic of its own between two snapshots.
/// </summary>
internal sealed partial class RedisServerProcess
{
    private RespConnection? connection;

    /// <summary>Sends one command over the coordinator's own connection and returns the reply as text.</summary>
    public string Call(params string[] command)
    {
        connection ??= new RespConnection(Port);
        return connection.Call(command);
    }

    /// <summary>Reads INFO (all sections) into a snapshot.</summary>
    public RedisSnapshot Snapshot() => RedisSnapshot.Parse(Call("INFO", "all"));

    partial void OnDisposing() => connection?.Dispose();
}
