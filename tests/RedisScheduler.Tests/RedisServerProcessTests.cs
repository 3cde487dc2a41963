using System.Net;
using System.Net.Sockets;
using NUnit.Framework;
using StackExchange.Redis;

namespace RedisScheduler.Tests;

/// <summary>
/// The launcher itself (eng/RedisServerLauncher), for what the other tests do not use already: a
/// graceful stop, a chosen port with a configuration file, and the clean-up on dispose.
/// </summary>
[NonParallelizable]
public sealed class RedisServerProcessTests
{
    [Test]
    public void Stop_AppendOnly_ExitsCleanlyAndRestartReadsTheWritesBack()
    {
        // Without "appendfsync always": only a graceful stop guarantees the last write reaches the file.
        using var server = RedisServerProcess.Start("--appendonly", "yes");
        using (var connection = ConnectionMultiplexer.Connect(server.Configuration))
        {
            connection.GetDatabase().StringSet("kept", "yes");
        }

        server.Stop();
        Assert.That(server.Process.ExitCode, Is.Zero, "redis-server exits with 0 after SIGTERM");

        server.Restart();
        using var reconnected = ConnectionMultiplexer.Connect(server.Configuration);
        Assert.That((string?)reconnected.GetDatabase().StringGet("kept"), Is.EqualTo("yes"));
    }

    [Test]
    public void Start_ChosenPortAndConfigurationFile_ListensThereWithTheFilesSettings()
    {
        var port = FreePort();
        using var server = RedisServerProcess.Start(new RedisServerSettings { Port = port, ConfigurationFile = "maxmemory 12345678\n" });
        using var connection = ConnectionMultiplexer.Connect(server.Configuration + ",allowAdmin=true");

        Assert.That(server.Port, Is.EqualTo(port));
        Assert.That(connection.GetServer(server.Configuration).ConfigGet("maxmemory").Single().Value, Is.EqualTo("12345678"));
    }

    [Test]
    public void Dispose_RunningServer_KillsItAndDeletesItsDirectory()
    {
        var server = RedisServerProcess.Start();
        var port = server.Port;
        var directory = server.WorkingDirectory;

        server.Dispose();

        using var client = new TcpClient();
        Assert.That(() => client.Connect(IPAddress.Loopback, port), Throws.InstanceOf<SocketException>(), "nothing listens on its port any more");
        Assert.That(Directory.Exists(directory), Is.False);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
