using System.Globalization;
using RedisScheduler.LoadTest.Coordinator;
using RedisScheduler.LoadTest.Reporting;

namespace RedisScheduler.LoadTest.Workloads;

/// <summary>The schedule command and its bookkeeping, shared by the workloads.</summary>
internal static class AgentCommands
{
    /// <summary>Schedules <paramref name="count"/> tasks through <paramref name="client"/>, showing progress; returns wall and client CPU seconds, and the per-call latency in modes seq and sync.</summary>
    public static async Task<ScheduleReply> ScheduleAsync(AgentProcess client, string mode, int count, int firstOrderId, string due, string label)
    {
        client.ResetProgress();
        client.Send(string.Create(CultureInfo.InvariantCulture, $"schedule {mode} {count} {firstOrderId} {due}"));
        // Generous: Hangfire's client schedules about 1,000 jobs a second on the 2-core machine.
        var reply = client.ExpectAsync("SCHEDULED", TimeSpan.FromSeconds(120 + (count * 0.01)));
        await ConsoleProgress.FollowAsync(label, count, () => client.Progress, () => reply.IsCompleted);
        var numbers = AgentProcess.Numbers(await reply);
        return new ScheduleReply(
            TimeSpan.FromTicks(numbers[1]).TotalSeconds,
            TimeSpan.FromTicks(numbers[2]).TotalSeconds,
            TimeSpan.FromTicks(numbers[3]).TotalMilliseconds,
            TimeSpan.FromTicks(numbers[4]).TotalMilliseconds);
    }

    /// <summary>The fastest way a system's client has to fill a schedule: its batch API, else concurrent callers.</summary>
    public static string BulkMode(SystemDefinition system, LoadTestOptions options)
        => system.SupportsBatch
            ? string.Create(CultureInfo.InvariantCulture, $"batch:{options.BatchSize}")
            : string.Create(CultureInfo.InvariantCulture, $"concurrent:{options.Clients}");

    /// <summary>Schedules <paramref name="count"/> tasks due between 1 and 2 hours from now: never due during a run.</summary>
    public static Task<ScheduleReply> FillPendingAsync(AgentProcess client, SystemDefinition system, LoadTestOptions options, int count)
        => ScheduleAsync(
            client,
            BulkMode(system, options),
            count,
            Agent.TaskNumbers.Pending,
            Agent.DueTimes.Absolute(DateTime.UtcNow.AddHours(1), TimeSpan.FromTicks(TimeSpan.FromHours(1).Ticks / count)),
            $"filling {count:N0} pending tasks");

    /// <summary>Stops workers and reads every handler start they recorded.</summary>
    public static async Task<(List<(int OrderId, long StartTicks)> Records, double CpuSeconds, WorkerRuntimeCosts Runtime)> StopAsync(IReadOnlyList<AgentProcess> workers, long[] cpuAtStart)
    {
        foreach (var worker in workers)
        {
            worker.Send("stop");
        }

        var replies = await Task.WhenAll(workers.Select(w => w.ExpectAsync("STOPPED", TimeSpan.FromSeconds(60))));
        var records = new List<(int, long)>();
        var cpu = 0.0;
        var runtime = default(WorkerRuntimeCosts);
        for (var i = 0; i < replies.Length; i++)
        {
            var words = replies[i].Split(' ');
            records.AddRange(Agent.HandlerRecorder.ReadFrom(words[1]));
            File.Delete(words[1]);
            cpu += TimeSpan.FromTicks(long.Parse(words[3], CultureInfo.InvariantCulture) - cpuAtStart[i]).TotalSeconds;
            runtime += WorkerRuntimeCosts.Parse(words[4..]);
        }

        return (records, cpu, runtime);
    }
}

/// <summary>What an agent's <c>SCHEDULED</c> reply says: wall and CPU seconds, and the per-call latency percentiles (0 unless one call at a time).</summary>
internal readonly record struct ScheduleReply(double Seconds, double CpuSeconds, double P50Milliseconds, double P99Milliseconds)
{
    public void Deconstruct(out double seconds, out double cpuSeconds) => (seconds, cpuSeconds) = (Seconds, CpuSeconds);
}
