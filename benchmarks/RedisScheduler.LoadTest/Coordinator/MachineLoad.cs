using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using RedisScheduler.LoadTest.Reporting;

namespace RedisScheduler.LoadTest.Coordinator;

/// <summary>The machine the figures come from, and how busy it is (other builds and tests share it).</summary>
internal static class MachineLoad
{
    /// <summary>The 1, 5 and 15 minute load averages from /proc/loadavg (zeros where there is none).</summary>
    public static double[] Current()
    {
        try
        {
            return [.. File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Select(v => double.Parse(v, CultureInfo.InvariantCulture))];
        }
        catch (IOException)
        {
            return [0, 0, 0];
        }
    }

    public static MachineInfo Describe(string redisVersion)
    {
        var cpu = ReadFirst("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        var memory = ReadFirst("/proc/meminfo", "MemTotal") is { } total
            ? double.Parse(total.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture) / (1024 * 1024)
            : 0;
        return new MachineInfo(
            Environment.ProcessorCount,
            cpu,
            Math.Round(memory, 1),
            RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
            redisVersion,
            Run("redis-benchmark", "--version") ?? "not found",
            Run("git", "rev-parse --short HEAD") ?? "?",
            Current());
    }

    private static string? ReadFirst(string path, string key)
    {
        try
        {
            return File.ReadLines(path).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string? Run(string file, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            var output = process!.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
