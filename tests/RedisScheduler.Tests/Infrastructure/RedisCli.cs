using System.Diagnostics;

namespace RedisScheduler.Tests.Infrastructure;

/// <summary>
/// redis-cli, for what only it does well: <c>--cluster create</c>, and plain commands against one node
/// (CLUSTER INFO, SENTINEL MASTER) while a set-up is still forming and a client library would only
/// retry. Found next to redis-server first (Debian ships it in redis-tools, beside redis-server's
/// /usr/bin), then on PATH.
/// </summary>
public static class RedisCli
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);

    public static string FindBinary()
    {
        var beside = Path.Combine(Path.GetDirectoryName(RedisServerProcess.FindBinary())!, "redis-cli");
        if (File.Exists(beside))
        {
            return beside;
        }

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .Select(directory => Path.Combine(directory, "redis-cli"))
            .FirstOrDefault(File.Exists);
        return onPath ?? throw new InvalidOperationException(
            "redis-cli was not found next to redis-server or on PATH; the Cluster and Sentinel tests need it. " +
            "Install it (Debian/Ubuntu: sudo apt-get install -y redis-tools, or 'source eng/ensure-redis.sh' as root).");
    }

    /// <summary>Runs redis-cli against 127.0.0.1:<paramref name="port"/> and returns its standard output.</summary>
    /// <exception cref="InvalidOperationException">It exited with an error; the message has its output.</exception>
    public static string Run(int port, params string[] arguments)
    {
        var info = new ProcessStartInfo(FindBinary())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. arguments])
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(CallTimeout))
        {
            process.Kill();
            throw new TimeoutException($"redis-cli {string.Join(' ', arguments)} did not finish within {CallTimeout.TotalSeconds} s.");
        }

        return process.ExitCode == 0
            ? output
            : throw new InvalidOperationException($"redis-cli {string.Join(' ', arguments)} exited with {process.ExitCode}: {output}{error.Result}");
    }

    /// <summary>Polls <paramref name="condition"/> every 100 ms until it holds, or fails after <paramref name="timeout"/> with <paramref name="what"/>.</summary>
    public static void WaitUntil(Func<bool> condition, TimeSpan timeout, Func<string> what)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > timeout)
            {
                throw new TimeoutException($"Not within {timeout.TotalSeconds} s: {what()}");
            }

            Thread.Sleep(100);
        }
    }
}
