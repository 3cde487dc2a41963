using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace RedisScheduler.Tests.Infrastructure;

/// <summary>A real redis-server child process on a free loopback port.</summary>
public sealed class RedisServer : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("redis-scheduler-tests-").FullName;
    private readonly string[] extraArgs;
    private Process? process;

    private RedisServer(string[] extraArgs)
    {
        this.extraArgs = extraArgs;
        Port = FreePort();
    }

    public int Port { get; }

    /// <summary>How the default user connects: with the password when the server requires one.</summary>
    public string Configuration => $"127.0.0.1:{Port}" + PasswordSuffix();

    public static RedisServer Start(params string[] extraArgs)
    {
        var server = new RedisServer(extraArgs);
        server.StartProcess();
        return server;
    }

    public static string FindBinary()
    {
        var configured = Environment.GetEnvironmentVariable("REDIS_SERVER_PATH");
        if (!string.IsNullOrEmpty(configured) && File.Exists(configured))
        {
            return configured;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/bin").Append("/usr/local/bin"))
        {
            var candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            "redis-server was not found on PATH. Install Redis 7.0+ (Debian: apt-get install redis-server), " +
            "set REDIS_SERVER_PATH to the binary, or run the tests with 'bash eng/test.sh', which installs it when run as root.");
    }

    /// <summary>Kills the server with SIGKILL, as a crash would.</summary>
    public void Kill()
    {
        if (process is { HasExited: false })
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    public void Restart()
    {
        Kill();
        StartProcess();
    }

    public void Dispose()
    {
        Kill();
        process?.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void StartProcess()
    {
        var info = new ProcessStartInfo(FindBinary())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory }.Concat(extraArgs))
        {
            info.ArgumentList.Add(arg);
        }

        process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var connection = ConnectionMultiplexer.Connect($"{Configuration},connectTimeout=500,abortConnect=true");
                connection.GetDatabase().Ping();
                return;
            }
            catch (Exception e) when ((e is RedisConnectionException || IsLoading(e)) && deadline.Elapsed < TimeSpan.FromSeconds(15) && !process.HasExited)
            {
                Thread.Sleep(50); // polling a port that is not open yet, or a dataset still loading: there is no event to await
            }
        }
    }

    /// <summary>A restart with an append-only file answers LOADING until the file is read back.</summary>
    private static bool IsLoading(Exception e) => e is RedisServerException && e.Message.StartsWith("LOADING", StringComparison.Ordinal);

    private string PasswordSuffix()
    {
        var index = Array.IndexOf(extraArgs, "--requirepass");
        return index >= 0 ? ",password=" + extraArgs[index + 1] : "";
    }
}
