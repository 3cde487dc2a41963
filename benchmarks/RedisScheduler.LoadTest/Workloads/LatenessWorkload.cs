using RedisScheduler.LoadTest.Agent;
using RedisScheduler.LoadTest.Coordinator;
using RedisScheduler.LoadTest.Reporting;

namespace RedisScheduler.LoadTest.Workloads;

/// <summary>
/// W3: at low load, M tasks each due at its own instant, spread evenly over the window and starting
/// 2 s after scheduling begins, with one idle worker process already running. Lateness is a handler's
/// start minus its task's due instant, both read from the machine's one system clock.
/// </summary>
internal static class LatenessWorkload
{
    private const int WarmUpTasks = 50;

    public static async Task<(LatenessResult Result, string Description)> RunAsync(SystemDefinition system, int pending, LoadTestOptions options, bool keepSamples)
    {
        var tasks = options.LatenessTasks;
        var label = $"{system.Name} W3 ({pending:N0} pending)";
        using var redis = MeasuredRedis.Start();
        using var client = AgentProcess.Start(system, "client", redis, options.Concurrency, capacity: 0);
        using var worker = AgentProcess.Start(system, "worker", redis, options.Concurrency, (2 * tasks) + 1000 + WarmUpTasks);
        await Task.WhenAll(client.ReadyAsync(), worker.ReadyAsync());
        if (pending > 0)
        {
            await AgentCommands.FillPendingAsync(client, system, options, pending);
        }

        // Warm-up tasks, due at once, so the handler's path is compiled before the measured tasks:
        // scheduled before the worker starts, they run at its first look (Hangfire polls once at start).
        await AgentCommands.ScheduleAsync(client, AgentCommands.BulkMode(system, options), WarmUpTasks, TaskNumbers.WarmUp, DueTimes.Relative(TimeSpan.FromSeconds(-1)), $"{label}: warm-up tasks");
        worker.Send("go");
        var started = AgentProcess.Numbers(await worker.ExpectAsync("STARTED", TimeSpan.FromSeconds(60)));
        var warmUp = DateTime.UtcNow.AddSeconds(30);
        await ConsoleProgress.FollowAsync($"{label}: warm-up", WarmUpTasks, () => worker.Progress, () => worker.Progress >= WarmUpTasks || DateTime.UtcNow > warmUp);

        // Let the worker settle into its idle state before anything is due.
        await Task.Delay(TimeSpan.FromSeconds(1));

        var load = MachineLoad.Current()[0];
        var before = redis.Snapshot();
        var machineBefore = MachineCpu.Now();
        var window = System.Diagnostics.Stopwatch.StartNew();
        var workerCpuBefore = worker.ProgressCpuTicks;
        // Half-way between two milliseconds: a millisecond scheduler stores the due time rounded up,
        // which costs a task due at a random instant 0.5 ms on average; placing every instant there
        // makes that cost the same in every run instead of a random 0 to 1 ms shift of all figures.
        var lead = DateTime.UtcNow.AddSeconds(options.LatenessLeadSeconds).Ticks;
        var firstDue = new DateTime(lead - (lead % TimeSpan.TicksPerMillisecond) + (TimeSpan.TicksPerMillisecond / 2), DateTimeKind.Utc);
        var step = TimeSpan.FromTicks((long)(TimeSpan.FromSeconds(options.LatenessWindowSeconds).Ticks / (double)tasks));
        var due = DueTimes.Parse(DueTimes.Absolute(firstDue, step));
        var (schedulingSeconds, clientCpu) = await AgentCommands.ScheduleAsync(client, AgentCommands.BulkMode(system, options), tasks, TaskNumbers.Measured, DueTimes.Absolute(firstDue, step), $"{label}: scheduling");
        var scheduledInTime = DateTime.UtcNow < firstDue;
        await client.QuitAsync();

        // Wait for every task, or until two polling intervals (and 5 s) after the last due instant.
        var deadline = due.At(tasks - 1).UtcDateTime + (2 * system.PollingInterval) + TimeSpan.FromSeconds(5);
        await ConsoleProgress.FollowAsync($"{label}: handled", tasks, () => worker.Progress - WarmUpTasks, () => worker.Progress - WarmUpTasks >= tasks || DateTime.UtcNow > deadline);
        var machineAfter = MachineCpu.Now();
        var after = redis.Snapshot();
        var workerCpuInWindow = TimeSpan.FromTicks(worker.ProgressCpuTicks - workerCpuBefore).TotalSeconds;
        var (records, cpu, _) = await AgentCommands.StopAsync([worker], [started[1]]);

        var lateness = Enumerable.Repeat(double.NaN, tasks).ToArray();
        var duplicates = 0;
        foreach (var (orderId, startTicks) in records.Where(r => r.OrderId >= TaskNumbers.Measured && r.OrderId < TaskNumbers.Measured + tasks).OrderBy(r => r.StartTicks))
        {
            var index = orderId - TaskNumbers.Measured;
            if (!double.IsNaN(lateness[index]))
            {
                duplicates++;
                continue;
            }

            lateness[index] = TimeSpan.FromTicks(startTicks - due.TicksAt(index)).TotalMilliseconds;
        }

        var handled = lateness.Where(l => !double.IsNaN(l)).Order().ToArray();
        double Percentile(double p) => handled.Length == 0 ? double.NaN : handled[Math.Max(0, (int)Math.Ceiling(p * handled.Length) - 1)];
        var result = new LatenessResult(
            pending,
            tasks,
            handled.Length,
            duplicates,
            handled.Count(l => l < 0),
            Percentile(0.50),
            Percentile(0.90),
            Percentile(0.99),
            handled.Length == 0 ? double.NaN : handled[^1],
            handled.Length == 0 ? double.NaN : handled[0],
            handled.Length == 0 ? double.NaN : handled.Average(),
            schedulingSeconds,
            scheduledInTime,
            cpu,
            RedisCost.Between(before, after),
            load)
        {
            Samples = keepSamples ? [.. lateness.Select(l => Math.Round(l, 3))] : null,
            WindowSeconds = window.Elapsed.TotalSeconds,
            OtherCpuSeconds = machineAfter.OthersSince(machineBefore, RedisCost.Between(before, after).ServerCpuSeconds + workerCpuInWindow + clientCpu),
            StealSeconds = machineAfter.StealSince(machineBefore),
        };
        return (result, worker.Description);
    }
}
