using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace RedisScheduler.Sample;

/// <summary>
/// A throwaway redis-server child process on a free loopback port, with persistence off, killed on
/// dispose. It lets the sample run anywhere the redis-server binary is installed, touching no other Redis.
/// </summary>
internal sealed class PrivateRedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly Process process;

    private PrivateRedisServer(Process process, int port)
    {
        this.process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string of this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>Starts redis-server from REDIS_SERVER_PATH, or else from PATH, and waits until it accepts connections.</summary>
    public static async Task<PrivateRedisServer> StartAsync()
    {
        var path = Environment.GetEnvironmentVariable("REDIS_SERVER_PATH") is { Length: > 0 } configured ? configured : "redis-server";
        var port = FreeLoopbackPort();
        var startInfo = new ProcessStartInfo(path, ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"])
        {
            RedirectStandardOutput = true,
        };

        Process process;
        try
        {
            process = Process.Start(startInfo)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                $"Cannot start '{path}' ({e.Message}). Install redis-server 7.0 or newer, set REDIS_SERVER_PATH to it, or set REDIS_SCHEDULER_CONFIGURATION to an existing Redis.",
                e);
        }

        // Its log is kept only to explain a failed start; reading it also keeps the pipe from filling up.
        var output = new ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        process.BeginOutputReadLine();
        var server = new PrivateRedisServer(process, port);

        var waited = Stopwatch.StartNew();
        while (!await server.AcceptsConnectionsAsync())
        {
            if (process.HasExited || waited.Elapsed > StartTimeout)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"redis-server did not start on port {port}:{Environment.NewLine}{string.Join(Environment.NewLine, output)}");
            }

            await Task.Delay(50);
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private static int FreeLoopbackPort()
    {
        // Port 0 makes the OS pick a free port; it stays free in practice for the moment until redis-server binds it.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task<bool> AcceptsConnectionsAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
