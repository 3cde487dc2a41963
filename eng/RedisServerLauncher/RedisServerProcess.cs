using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace RedisServerLauncher;

/// <summary>
/// A private redis-server child process on 127.0.0.1, for the tests, the benchmarks and the sample. It
/// listens on loopback only, persists nothing unless asked to, and works in a temporary directory of its
/// own, so it never touches a Redis that anyone else uses; disposing it kills the server and deletes the
/// directory. Several of them can make up a replicated set, a Sentinel or a Cluster: each runs one
/// redis-server with the <see cref="RedisServerSettings"/> it was given.
/// </summary>
public sealed class RedisServerProcess : IDisposable
{
    private const string PathVariable = "REDIS_SERVER_PATH";
    private const int KeptOutputLines = 50;
    private const int SigTerm = 15; // the same number on Linux and macOS
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(15);

    private readonly RedisServerSettings settings;
    private readonly string binary;
    private readonly ConcurrentQueue<string> output = new();
    private Process? process;
    private bool disposed;

    private RedisServerProcess(string binary, int port, RedisServerSettings settings)
    {
        this.binary = binary;
        this.settings = settings;
        Port = port;
        WorkingDirectory = Directory.CreateTempSubdirectory("redis-server-").FullName;
        if (settings.ConfigurationFile is not null)
        {
            File.WriteAllText(ConfigurationFilePath, settings.ConfigurationFile);
        }

        // Belt and braces: if the program ends without disposing the server (a crash, a test host torn
        // down), the server must not outlive it and hold its port.
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>Gets the port the server listens on, on 127.0.0.1; it stays the same across <see cref="Restart"/>.</summary>
    public int Port { get; }

    /// <summary>
    /// Gets the StackExchange.Redis configuration string of the server's default user: with the password
    /// when <see cref="RedisServerSettings.Arguments"/> set one with <c>--requirepass</c>.
    /// </summary>
    public string Configuration => $"127.0.0.1:{Port}" + PasswordSuffix();

    /// <summary>Gets the server's working directory (its <c>--dir</c>): where an append-only file, an RDB
    /// snapshot, a Cluster's <c>nodes.conf</c> or the configuration file go. Deleted on dispose.</summary>
    public string WorkingDirectory { get; }

    /// <summary>Gets the running redis-server process; a new one after each <see cref="Restart"/>.</summary>
    public Process Process => process ?? throw new InvalidOperationException("The redis-server process has not been started.");

    private string ConfigurationFilePath => Path.Combine(WorkingDirectory, "redis.conf");

    /// <summary>Starts a throwaway server on a free port and returns once it answers.</summary>
    /// <param name="arguments">Extra redis-server arguments, such as <c>"--requirepass", "secret"</c>;
    /// see <see cref="RedisServerSettings.Arguments"/>.</param>
    /// <returns>The running server; dispose it to kill it.</returns>
    public static RedisServerProcess Start(params string[] arguments) => Start(new RedisServerSettings { Arguments = arguments });

    /// <summary>Starts a server as <paramref name="settings"/> say and returns once it answers.</summary>
    /// <param name="settings">The port, arguments and configuration file of the server.</param>
    /// <returns>The running server; dispose it to kill it.</returns>
    /// <exception cref="InvalidOperationException">redis-server is not installed, or it exited before it answered.</exception>
    /// <exception cref="TimeoutException">redis-server did not answer within <see cref="RedisServerSettings.StartTimeout"/>.</exception>
    public static RedisServerProcess Start(RedisServerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfNegative(settings.Port);
        var binary = FindBinary();
        // A free port is found by binding port 0 and releasing it, so another process may take it before
        // redis-server binds it: in that (rare) case, try again with a new one.
        const int freePortAttempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            var server = new RedisServerProcess(binary, settings.Port != 0 ? settings.Port : FreeLoopbackPort(), settings);
            try
            {
                server.Launch();
                return server;
            }
            catch (InvalidOperationException) when (settings.Port == 0 && attempt < freePortAttempts && server.process is { HasExited: true })
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

    /// <summary>
    /// Finds the redis-server binary: <c>REDIS_SERVER_PATH</c> when it is set, else <c>redis-server</c> on
    /// <c>PATH</c>, else <c>/usr/bin</c> or <c>/usr/local/bin</c> (where packages put it, for a test host
    /// started with a bare <c>PATH</c>).
    /// </summary>
    /// <returns>The full path of the binary.</returns>
    /// <exception cref="InvalidOperationException">There is none; the message says how to install it.</exception>
    public static string FindBinary()
    {
        var configured = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException(
                    $"{PathVariable} is set to '{configured}', but there is no file there. " +
                    "Point it at a redis-server binary (Redis 7.0 or newer), or unset it to use redis-server from PATH.");
        }

        var directories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .Append("/usr/local/bin");
        foreach (var directory in directories)
        {
            var candidate = Path.Combine(directory, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            "redis-server (Redis 7.0 or newer) was not found on PATH; the tests, benchmarks and sample start their own private servers with it. " +
            $"Install it (Debian/Ubuntu: sudo apt-get install -y redis-server, or 'source eng/ensure-redis.sh' as root), or set {PathVariable}=/path/to/redis-server.");
    }

    /// <summary>Kills the server with SIGKILL, as a crash would: nothing is flushed or saved on the way out.</summary>
    public void Kill()
    {
        var current = process;
        if (current is null)
        {
            return;
        }

        try
        {
            if (!current.HasExited)
            {
                // The whole tree: a server with persistence may have forked a child to rewrite its files.
                current.Kill(entireProcessTree: true);
            }

            current.WaitForExit(ExitTimeout);
        }
        catch (InvalidOperationException)
        {
            // It had already gone.
        }
    }

    /// <summary>
    /// Stops the server as an operator would (SIGTERM): it saves or flushes what its persistence settings
    /// ask for, then exits. <see cref="Restart"/> starts it again.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">Not on Linux or macOS, the only systems redis-server supports.</exception>
    /// <exception cref="TimeoutException">It did not exit in time; it has been killed.</exception>
    public void Stop()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            throw new PlatformNotSupportedException("Stopping redis-server with SIGTERM needs Linux or macOS; use Kill() elsewhere.");
        }

        var current = Process;
        // .NET can only send SIGKILL (Process.Kill), hence libc's kill(2) for SIGTERM.
        if (!current.HasExited && SendSignal(current.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"Could not send SIGTERM to redis-server (process {current.Id}): errno {Marshal.GetLastPInvokeError()}.");
        }

        if (current.WaitForExit(ExitTimeout))
        {
            return;
        }

        Kill();
        throw new TimeoutException(
            $"redis-server on port {Port} did not exit within {ExitTimeout.TotalSeconds} s of SIGTERM, so it was killed. Its output:{Environment.NewLine}{KeptOutput()}");
    }

    /// <summary>
    /// Kills the server with SIGKILL if it is running, then starts it again on the same port, with the same
    /// arguments and working directory, so that it reads back what it persisted there. Returns once it answers.
    /// </summary>
    /// <exception cref="InvalidOperationException">redis-server exited before it answered.</exception>
    /// <exception cref="TimeoutException">redis-server did not answer within <see cref="RedisServerSettings.StartTimeout"/>.</exception>
    public void Restart()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        Kill();
        process?.Dispose();
        Launch();
    }

    /// <summary>Kills the server and deletes its working directory.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        Kill();
        process?.Dispose();
        try
        {
            Directory.Delete(WorkingDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory left behind is harmless.
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int processId, int signal);

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Launch()
    {
        output.Clear();
        var startInfo = new ProcessStartInfo(binary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = WorkingDirectory,
        };
        string[] arguments =
        [
            // redis-server takes a configuration file only as its first argument.
            .. settings.ConfigurationFile is null ? [] : new[] { ConfigurationFilePath },
            "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", string.Empty, "--appendonly", "no", "--dir", WorkingDirectory,
            .. settings.Arguments,
        ];
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var started = new Process { StartInfo = startInfo };
        // The server's log is kept (its last lines) to explain a failed start; reading it also keeps the
        // pipe from filling up and blocking the server.
        started.OutputDataReceived += Keep;
        started.ErrorDataReceived += Keep;
        try
        {
            started.Start();
        }
        catch (Win32Exception e)
        {
            started.Dispose();
            throw new InvalidOperationException($"Could not start '{binary}': {e.Message}", e);
        }

        process = started;
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        WaitUntilAnswering(started);
    }

    private void WaitUntilAnswering(Process started)
    {
        var waited = Stopwatch.StartNew();
        Exception? last = null;
        while (true)
        {
            if (started.HasExited)
            {
                started.WaitForExit(); // the rest of its output
                throw new InvalidOperationException(
                    $"redis-server exited with code {started.ExitCode} before it answered on port {Port}. Its output:{Environment.NewLine}{KeptOutput()}");
            }

            if (waited.Elapsed > settings.StartTimeout)
            {
                throw new TimeoutException(
                    $"redis-server did not answer on 127.0.0.1:{Port} within {settings.StartTimeout.TotalSeconds} s. Its output:{Environment.NewLine}{KeptOutput()}",
                    last);
            }

            try
            {
                if (Answers())
                {
                    return;
                }
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                last = e;
            }

            Thread.Sleep(20); // a port that is not open yet, or a dataset still loading: there is no event to await
        }
    }

    /// <summary>
    /// Whether the server takes commands: any answer to PING but <c>-LOADING</c> (a restart still reading
    /// its append-only file back). <c>-NOAUTH</c> from a server with a password counts, which is why this
    /// is a plain socket and not a client that would have to log in.
    /// </summary>
    private bool Answers()
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
        return read > 0 && !Encoding.ASCII.GetString(buffer, 0, read).StartsWith("-LOADING", StringComparison.Ordinal);
    }

    private void Keep(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is not null)
        {
            output.Enqueue(e.Data);
            while (output.Count > KeptOutputLines && output.TryDequeue(out _))
            {
            }
        }
    }

    private string KeptOutput() => string.Join(Environment.NewLine, output);

    private string PasswordSuffix()
    {
        var index = settings.Arguments.ToList().LastIndexOf("--requirepass");
        return index >= 0 && index + 1 < settings.Arguments.Count ? ",password=" + settings.Arguments[index + 1] : string.Empty;
    }

    private void OnProcessExit(object? sender, EventArgs e) => Kill();
}
