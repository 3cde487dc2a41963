using System.Diagnostics;
using System.Globalization;

namespace RedisScheduler.LoadTest.Coordinator;

/// <summary>
/// The run's console output: one line per step, and while a step runs a status line with its
/// progress, rate and the machine's load average (rewritten in place on a terminal, printed every
/// 5 s when the output goes to a file or a pipe).
/// </summary>
internal static class ConsoleProgress
{
    private static readonly Stopwatch RunClock = Stopwatch.StartNew();
    private static readonly bool Interactive = !Console.IsOutputRedirected;
    private static int statusWidth;

    public static void Line(string text)
    {
        ClearStatus();
        Console.WriteLine($"[{RunClock.Elapsed:mm\\:ss}] {text}");
    }

    /// <summary>Polls <paramref name="done"/> every 100 ms until it returns at least <paramref name="total"/>, or <paramref name="until"/> says stop.</summary>
    public static async Task FollowAsync(string label, long total, Func<long> done, Func<bool> until)
    {
        var clock = Stopwatch.StartNew();
        var lastPrint = TimeSpan.Zero;
        while (!until())
        {
            await Task.Delay(100);
            if (Interactive || clock.Elapsed - lastPrint >= TimeSpan.FromSeconds(5))
            {
                lastPrint = clock.Elapsed;
                var value = done();
                var rate = value / Math.Max(clock.Elapsed.TotalSeconds, 0.001);
                Status(string.Create(CultureInfo.InvariantCulture, $"  {label}: {value:N0}/{total:N0} ({rate:N0}/s, {clock.Elapsed.TotalSeconds:F0} s, load {MachineLoad.Current()[0]:F1})"));
            }
        }

        ClearStatus();
    }

    private static void Status(string text)
    {
        if (Interactive)
        {
            var padded = text.PadRight(statusWidth);
            statusWidth = text.Length;
            Console.Write("\r" + padded);
        }
        else
        {
            Console.WriteLine(text);
        }
    }

    private static void ClearStatus()
    {
        if (Interactive && statusWidth > 0)
        {
            Console.Write("\r" + new string(' ', statusWidth) + "\r");
            statusWidth = 0;
        }
    }
}
