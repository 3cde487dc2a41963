using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RedisScheduler.Benchmarking;

/// <summary>
/// A private <c>redis-server</c> child process on a free loopback port (<c>--save "" --appendonly no</c>),
/// started for one benchmark process or one load-test measurement and killed after it. Nothing is
/// persisted and it listens on 127.0.0.1 only, so a run never touches a Redis that anyone else uses.
/// Compiled into both benchmark programs; the load test adds its INFO connection in a partial of its own.
/// </summary>
internal sealed partial class RedisServerProcess : IDisposable
{
    private const string PathVariable = "REDIS_SERVER_PATH";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly Process process;
    private readonly ConcurrentQueue<string> output;

    private RedisServerProcess(Process process, ConcurrentQueue<string> output, int port)
    {
        this.process = process;
        this.output = output;
        Port = port;
        // Belt and braces: if the program ends without disposing the server (a crash), the server
        // must not outlive it.
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    public int Port { get; }

    /// <summary>The redis-server binary this server runs.</summary>
    public string Binary => process.StartInfo.FileName;

    /// <summary>The StackExchange.Redis configuration string of this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>Starts the server and returns once it answers PING.</summary>
    public static RedisServerProcess Start()
    {
        var binary = FindBinary();
        // The free port is found by binding port 0 and releasing it, so another process may take it
        // before redis-server binds it: try again with a new port in that (rare) case.
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            var port = FreeLoopbackPort();
            var server = Launch(binary, port);
            try
            {
                server.WaitForPing();
                return server;
            }
            catch (InvalidOperationException) when (attempt < attempts && server.process.HasExited)
            {
                server.Dispose();
            }
            catch
            {
                server.Dispose();
                throw;
            }
        }
    }

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        OnDisposing();
        Kill();
        process.Dispose();
    }

    /// <summary>Releases what a partial of a program adds, before the server is killed.</summary>
    partial void OnDisposing();

    internal static string FindBinary()
    {
        var configured = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException(
                    $"{PathVariable} is set to '{configured}', but there is no file there. " +
                    $"Point it at a redis-server binary (7.0 or newer), or unset it to use redis-server from PATH.");
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            "redis-server (Redis 7.0 or newer) was not found on PATH. The benchmarks and the load test start their own private servers: " +
            $"install it (Debian/Ubuntu: sudo apt-get install -y redis-server), or set {PathVariable}=/path/to/redis-server.");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static RedisServerProcess Launch(string binary, int port)
    {
        var startInfo = new ProcessStartInfo(binary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // With --save "" and --appendonly no nothing is written, but if it were, not into the repository.
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        // The server's log is kept (last lines only) to explain a failed start; reading it also keeps
        // the pipe from filling up and blocking the server.
        var output = new ConcurrentQueue<string>();
        var process = new Process { StartInfo = startInfo };
        void Keep(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                output.Enqueue(e.Data);
                while (output.Count > 50 && output.TryDequeue(out _))
                {
                }
            }
        }

        process.OutputDataReceived += Keep;
        process.ErrorDataReceived += Keep;
        if (!process.Start())
        {
            process.Dispose();
            throw new InvalidOperationException($"Could not start '{binary}'.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new RedisServerProcess(process, output, port);
    }

    private void WaitForPing()
    {
        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (deadline.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException(
                    $"redis-server exited with code {process.ExitCode} before answering PING on port {Port}. Its output:{Environment.NewLine}{string.Join(Environment.NewLine, output)}");
            }

            try
            {
                if (Ping())
                {
                    return;
                }
            }
            catch (SocketException e)
            {
                last = e;
            }

            Thread.Sleep(20);
        }

        throw new TimeoutException(
            $"redis-server did not answer PING on 127.0.0.1:{Port} within {StartTimeout.TotalSeconds} s. Its output:{Environment.NewLine}{string.Join(Environment.NewLine, output)}",
            last);
    }

    private bool Ping()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            ReceiveTimeout = 1000,
            SendTimeout = 1000,
        };
        socket.Connect(IPAddress.Loopback, Port);
        socket.Send("PING\r\n"u8);
        var buffer = new byte[64];
        var read = socket.Receive(buffer);
        // While loading, Redis answers -LOADING; only +PONG means ready.
        return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
    }

    private void Kill()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // It has already gone.
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => Kill();
}
