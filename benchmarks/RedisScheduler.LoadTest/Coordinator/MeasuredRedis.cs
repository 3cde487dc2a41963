using RedisServerLauncher;

namespace RedisScheduler.LoadTest.Coordinator;

/// <summary>
/// The fresh private redis-server one measurement runs against, with the coordinator's own plain RESP
/// connection for INFO and SCRIPT LOAD: read without a client library, so that the coordinator adds no
/// traffic of its own between two snapshots.
/// </summary>
internal sealed class MeasuredRedis : IDisposable
{
    private readonly RedisServerProcess server;
    private RespConnection? connection;

    private MeasuredRedis(RedisServerProcess server) => this.server = server;

    public int Port => server.Port;

    /// <summary>The StackExchange.Redis configuration string the agents connect with.</summary>
    public string Configuration => server.Configuration;

    /// <summary>Starts the server and returns once it answers.</summary>
    public static MeasuredRedis Start() => new(RedisServerProcess.Start());

    /// <summary>Sends one command over the coordinator's own connection and returns the reply as text.</summary>
    public string Call(params string[] command)
    {
        connection ??= new RespConnection(server.Port);
        return connection.Call(command);
    }

    /// <summary>Reads INFO (all sections) into a snapshot.</summary>
    public RedisSnapshot Snapshot() => RedisSnapshot.Parse(Call("INFO", "all"));

    public void Dispose()
    {
        connection?.Dispose();
        server.Dispose();
    }
}
