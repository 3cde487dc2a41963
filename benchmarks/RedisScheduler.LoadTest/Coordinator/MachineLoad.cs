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

/// <summary>
/// The machine's CPU time so far (all cores, from /proc/stat) and the coordinator's own. Taken at both
/// ends of a phase, it says how much CPU went to processes other than Redis, the agents and the
/// coordinator: the work of others that the phase competed with. Zeros where there is no /proc/stat.
/// </summary>
/// <param name="BusySeconds">user + nice + system + irq + softirq of all cores.</param>
/// <param name="StealSeconds">Time the hypervisor gave this machine's CPUs to someone else.</param>
/// <param name="CoordinatorSeconds">This process's CPU.</param>
internal readonly record struct MachineCpu(double BusySeconds, double StealSeconds, double CoordinatorSeconds)
{
    // USER_HZ: /proc/stat counts in 1/100 s on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;

    public static MachineCpu Now()
    {
        var coordinator = Environment.CpuUsage.TotalTime.TotalSeconds;
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            double Field(int i) => fields.Length > i ? double.Parse(fields[i], CultureInfo.InvariantCulture) / TicksPerSecond : 0;
            // cpu user nice system idle iowait irq softirq steal ...
            return new(Field(1) + Field(2) + Field(3) + Field(6) + Field(7), Field(8), coordinator);
        }
        catch (IOException)
        {
            return new(0, 0, coordinator);
        }
    }

    /// <summary>CPU seconds other processes used between <paramref name="before"/> and this sample, given what the measured processes used.</summary>
    public double OthersSince(MachineCpu before, double measuredSeconds)
        => BusySeconds == 0 ? 0 : Math.Max(0, BusySeconds - before.BusySeconds - (CoordinatorSeconds - before.CoordinatorSeconds) - measuredSeconds);

    public double StealSince(MachineCpu before) => StealSeconds - before.StealSeconds;
}
